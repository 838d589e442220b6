import type { Delivery } from "../../api";
import { Mark } from "../../ui";

export function StatusMark({ status }: { status: Delivery["status"] }) {
  const tone = status === "SUCCESS" ? "success" : status === "FAILED" ? "critical" : "info";
  const label = status === "SUCCESS" ? "Delivered" : status === "FAILED" ? "Failed" : "Pending";
  return (
    <span data-testid="delivery-status" data-status={status}>
      <Mark tone={tone}>{label}</Mark>
    </span>
  );
}
