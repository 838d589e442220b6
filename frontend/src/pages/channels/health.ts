import type { Delivery } from "../../api";

export type HealthState = "none" | "healthy" | "recovered" | "failing";

/** A channel's health, from its recent deliveries (newest first). */
export function health(deliveries: Delivery[]) {
  const final = deliveries.filter((d) => d.status !== "PENDING");
  const ok = final.filter((d) => d.status === "SUCCESS").length;
  const failed = final.length - ok;
  const last = final[0];
  const lastSuccess = deliveries.find((d) => d.status === "SUCCESS");
  const lastFailure = deliveries.find((d) => d.status === "FAILED");
  const state: HealthState = !last ? "none" : last.status === "SUCCESS" ? (failed ? "recovered" : "healthy") : "failing";
  return { ok, failed, pending: deliveries.length - final.length, lastSuccess, lastFailure, state };
}
