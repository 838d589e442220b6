import type { NotificationEvent } from "../api";
import { Mark } from "../ui";

/** What sets an event apart: postback channels only, manual retry. */
export function EventMarks({ event }: { event: NotificationEvent }) {
  return (
    <>
      {event.postbackOnly ? <Mark tone="warning">Postback only</Mark> : null}
      {event.manualRetry ? <Mark tone="info">Manual retry</Mark> : null}
    </>
  );
}
