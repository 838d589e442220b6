import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { api, splitErrors, type Recovery } from "../../api";
import { EVENT_LABEL } from "../../events";
import { Dialog, FieldError, formatTime, FormErrors, TableHead } from "../../ui";
import { useMutation } from "../../useMutation";

/** A moment as a `datetime-local` input holds it (the reader's local time, to the minute). */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The time of day to the second: a recovery's sends are a fraction of a second apart. */
const clock = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A failure kind (`http_503`, `connect_error`) in a few words. */
const failure = (kind: string | null) => (!kind ? "—" : kind.startsWith("http_") ? `HTTP ${kind.slice(5)}` : kind.replace(/_/g, " "));

function summary(r: Recovery): string {
  if (!r.count) return "No failed delivery to send again since then.";
  const what = r.count === 1 ? "1 failed delivery" : `${r.count} failed deliveries`;
  const pace = `at most ${r.ratePerS} per second`;
  return r.lastSendAt && r.count > 1
    ? `${what} will be sent again, ${pace}; the last at ${clock(r.lastSendAt)}.`
    : `${what} will be sent again, now.`;
}

/**
 * "Recover since…": pick a time, see what a dry run finds (how many, the first few), then send
 * them again. One manual attempt each (same event id), paced so the receiver is not flooded.
 */
export function RecoverDialog({
  open,
  channel,
  onClose,
  onQueued,
}: {
  open: boolean;
  channel: { id: string; name: string };
  onClose: () => void;
  onQueued: (r: Recovery) => void;
}) {
  const [since, setSince] = useState(() => localInputValue(new Date(Date.now() - 24 * 3600 * 1000)));
  const [preview, setPreview] = useState<Recovery | null>(null);
  const dry = useMutation(api.recoverChannel);
  const send = useMutation(api.recoverChannel);
  const errors = splitErrors([...dry.errors, ...send.errors]);
  const sinceError = errors.byField.since;

  const sinceIso = (): string | null => {
    const d = new Date(since);
    if (!since || Number.isNaN(d.getTime())) {
      dry.setErrors([{ field: "since", code: "REQUIRED", message: "Pick a date and time." }]);
      return null;
    }
    return d.toISOString();
  };
  const runPreview = async () => {
    setPreview(null);
    send.setErrors([]);
    const iso = sinceIso();
    if (!iso) return;
    const r = await dry.run(channel.id, iso, true);
    if (r?.recovery) setPreview(r.recovery);
  };
  const confirm = async () => {
    const iso = sinceIso();
    if (!iso) return;
    const r = await send.run(channel.id, iso, false);
    if (r?.recovery) {
      setPreview(null);
      onQueued(r.recovery);
    }
  };
  const close = () => {
    setPreview(null);
    dry.setErrors([]);
    send.setErrors([]);
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      title={`Recover ${channel.name}`}
      testId="recover-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button variant="secondary" onClick={runPreview} disabled={dry.busy}>
            {dry.busy ? "Counting…" : "Preview"}
          </Button>
          <Button variant="primary" onClick={confirm} disabled={!preview?.count || send.busy}>
            {preview?.count ? `Send ${preview.count} again` : "Send again"}
          </Button>
        </>
      }
    >
      <FormErrors messages={errors.general} />
      <Text as="p" paddingBottom={4}>
        Sends again the failed deliveries of Order completed, Approved transaction, Transaction declined and Refund
        applied whose last attempt failed since the time you pick: one attempt each, with the same event id, paced so the
        receiver is not flooded. Preview first: nothing is sent until you confirm.
      </Text>
      <Box paddingBottom={4}>
        <Input
          label="Failed since"
          name="since"
          type="datetime-local"
          value={since}
          error={Boolean(sinceError)}
          onChange={(e) => {
            setSince(e.target.value);
            setPreview(null);
          }}
        />
        <FieldError message={sinceError} />
      </Box>
      {preview ? (
        <Box data-testid="recover-preview" role="status">
          <Text as="p" fontWeight="medium" paddingBottom={3}>
            {summary(preview)}
          </Text>
          {preview.first.length ? (
            <Box as="table" width="100%" __borderCollapse="collapse">
              <TableHead columns={["Event", "Order", "Failed", "Failure"]} />
              <Box as="tbody">
                {preview.first.map((item) => (
                  <Box as="tr" key={item.delivery.id} data-testid="recover-row">
                    <Box as="td" paddingY={2} paddingRight={3}>
                      <Text size={2}>{EVENT_LABEL[item.delivery.event.type] ?? item.delivery.event.type}</Text>
                    </Box>
                    <Box as="td" paddingY={2} paddingRight={3}>
                      <Text size={2}>{item.orderNumber ? `#${item.orderNumber}` : "—"}</Text>
                    </Box>
                    <Box as="td" paddingY={2} paddingRight={3}>
                      <Text size={2}>{formatTime(item.failedAt)}</Text>
                    </Box>
                    <Box as="td" paddingY={2}>
                      <Text size={2}>{failure(item.delivery.failureKind)}</Text>
                    </Box>
                  </Box>
                ))}
              </Box>
            </Box>
          ) : null}
          {preview.count > preview.first.length ? (
            <Text as="p" size={2} color="default2" paddingTop={2}>
              …and {preview.count - preview.first.length} more.
            </Text>
          ) : null}
        </Box>
      ) : null}
    </Dialog>
  );
}
