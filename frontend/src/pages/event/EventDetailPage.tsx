import { Box, Button, Text } from "@saleor/macaw-ui";
import { ArrowLeft, Plus } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, errorMessages, type Attachment, type NotificationEvent } from "../../api";
import { useBridge } from "../../bridge";
import { ErrorNotice } from "../../components/ErrorNotice";
import { EventMarks } from "../../components/EventMarks";
import { useSaleorChannels } from "../../components/stores";
import { EVENT_HELP, type EventType } from "../../events";
import { useRouter } from "../../router";
import { Card, ConfirmDialog, FormErrors, Loading, PageHeader, SwitchControl } from "../../ui";
import { useMutation } from "../../useMutation";
import { AttachDialog } from "./AttachDialog";
import { AttachmentRow } from "./AttachmentRow";
import { EditSourcesDialog } from "./EditSourcesDialog";
import { SuccessMessage } from "./SuccessMessage";

/** One event: its switch, what it means, and the channels notified of it (attach, edit, delete). */
export function EventDetailPage({ type }: { type: EventType }) {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const [event, setEvent] = useState<NotificationEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attachOpen, setAttachOpen] = useState(false);
  const [editing, setEditing] = useState<Attachment | null>(null);
  const [deleting, setDeleting] = useState<Attachment | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const stores = useSaleorChannels();
  const setEnabled = useMutation(api.setEnabled);
  const detach = useMutation(api.detach);

  const load = useCallback(() => {
    api.events().then((d) => {
      const found = d.notificationEvents.find((e) => e.type === type);
      if (found) setEvent(found);
      else setError(new Error(`Unknown event ${type}.`));
    }, setError);
  }, [type]);
  useEffect(load, [load]);

  const say = (text: string) => {
    setMessage(text);
    notify("success", text);
  };

  const toggle = async (isEnabled: boolean) => {
    if (!event) return;
    setEvent({ ...event, isEnabled });
    if (await setEnabled.run(event.type, isEnabled)) say(`${event.name} ${isEnabled ? "enabled" : "disabled"}.`);
    load();
  };

  const remove = async () => {
    if (!deleting) return;
    if (!(await detach.run(deleting.id))) return;
    say(`${deleting.channel.name} will no longer be notified of ${event?.name}.`);
    setDeleting(null);
    load();
  };

  const back = (
    <Button variant="tertiary" icon={<ArrowLeft size={18} />} aria-label="Back to System notifications" onClick={() => navigate("events")} />
  );
  if (error) {
    return (
      <Box>
        <PageHeader title="System notifications" back={back} />
        <ErrorNotice error={error} permission="Manage plugins (MANAGE_PLUGINS)" />
      </Box>
    );
  }
  if (!event) return <Loading />;

  const switchError = errorMessages(setEnabled.errors).join(" ");
  return (
    <Box>
      <PageHeader
        title={event.name}
        back={back}
        actions={
          <Box display="flex" alignItems="center" gap={3}>
            <Text size={3} color="default2">
              {event.isEnabled ? "Enabled" : "Disabled"}
            </Text>
            <SwitchControl checked={event.isEnabled} label={`Enable ${event.name}`} onChange={toggle} />
          </Box>
        }
      />
      <Box display="flex" gap={2} paddingBottom={3}>
        <EventMarks event={event} />
      </Box>
      <Text as="p" color="default2" paddingBottom={6}>
        {EVENT_HELP[event.type]}
      </Text>
      {switchError ? <FormErrors messages={[switchError]} /> : null}
      {!event.isEnabled ? (
        <Text as="p" color="warning1" paddingBottom={4} data-testid="disabled-note">
          This event is switched off: attached channels receive nothing until you switch it on.
        </Text>
      ) : null}
      {message ? <SuccessMessage text={message} /> : null}
      <Card title="Channels notified of this event" testId="attachments">
        {event.channels.length === 0 ? (
          <Text as="p" color="default2" data-testid="no-attachments">
            No channel is attached to this event yet.
          </Text>
        ) : (
          <Box as="ul" margin={0} padding={0}>
            {event.channels.map((attachment, index) => (
              <AttachmentRow
                key={attachment.id}
                attachment={attachment}
                stores={stores}
                first={index === 0}
                onEdit={() => setEditing(attachment)}
                onDelete={() => {
                  detach.setErrors([]);
                  setDeleting(attachment);
                }}
              />
            ))}
          </Box>
        )}
      </Card>
      <Box display="flex" justifyContent="flex-end">
        <Button variant="primary" icon={<Plus size={16} />} onClick={() => setAttachOpen(true)}>
          Attach channel
        </Button>
      </Box>
      <AttachDialog
        event={event}
        stores={stores}
        open={attachOpen}
        onClose={() => setAttachOpen(false)}
        onAttached={(name) => {
          setAttachOpen(false);
          say(`${name} is now linked to ${event.name}.`);
          load();
        }}
      />
      <EditSourcesDialog
        attachment={editing}
        stores={stores}
        onClose={() => setEditing(null)}
        onSaved={() => {
          say(`Sources of ${editing?.channel.name} updated.`);
          setEditing(null);
          load();
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this attachment?"
        text={`${deleting?.channel.name ?? ""} will no longer be notified of ${event.name}. The channel itself is kept.`}
        confirmLabel="Delete"
        busy={detach.busy}
        errors={errorMessages(detach.errors)}
        onConfirm={remove}
        onClose={() => setDeleting(null)}
      />
    </Box>
  );
}
