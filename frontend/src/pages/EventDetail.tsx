import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { ArrowLeft, Plus } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, errorMessage, splitErrors, type Attachment, type Channel, type FormErrorState, type NotificationEvent } from "../api";
import { useBridge } from "../bridge";
import { ChannelForm } from "../components/ChannelForm";
import {
  Card,
  ConfirmDialog,
  Dialog,
  ErrorNotice,
  FieldError,
  FormErrors,
  Loading,
  Mark,
  MoreMenu,
  PageHeader,
  SecretPanel,
  SourcesField,
  SwitchControl,
} from "../components/ui";
import { EVENT_HELP, KIND_LABEL, sourceLabel, type EventType, type Source } from "../events";
import { useRouter } from "../router";
import { EventMarks } from "./Events";

const NO_ERRORS: FormErrorState = { byField: {}, general: [] };

/** Map the API's field names onto this form's fields. */
function attachErrors(errors: { field: string | null; code: string; message: string }[]): FormErrorState {
  const split = splitErrors(errors);
  const byField: Record<string, string> = {};
  for (const [field, message] of Object.entries(split.byField)) {
    if (field === "channelId" || field === "id") byField.channel = message;
    else if (field === "sources") byField.sources = message;
    else split.general.push(message);
  }
  return { byField, general: split.general };
}

function AttachDialog({
  event,
  open,
  onClose,
  onAttached,
}: {
  event: NotificationEvent;
  open: boolean;
  onClose: () => void;
  onAttached: (channelName: string) => void;
}) {
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [sources, setSources] = useState<Source[]>(["ADMIN", "SHOP", "FUNNEL"]);
  const [errors, setErrors] = useState<FormErrorState>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState<"attach" | "create" | "secret">("attach");
  const [secret, setSecret] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setErrors(NO_ERRORS);
    setStep("attach");
    setChannelId(null);
    setSources(["ADMIN", "SHOP", "FUNNEL"]);
    api.channels().then(setChannels, (err) => setErrors({ byField: {}, general: [errorMessage(err)] }));
  }, [open]);

  const attachedIds = new Set(event.channels.map((a) => a.channel.id));
  const options = (channels ?? []).map((c) => ({
    value: c.id,
    label: `${c.name} (${KIND_LABEL[c.kind]})${attachedIds.has(c.id) ? " — already attached" : ""}`,
  }));

  const save = async () => {
    if (!channelId) {
      setErrors({ byField: { channel: "Choose a channel, or add one with the Add button." }, general: [] });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const result = await api.attach(event.type, channelId, sources);
      if (result.errors.length) {
        setErrors(attachErrors(result.errors));
        return;
      }
      onAttached(channels?.find((c) => c.id === channelId)?.name ?? "The channel");
    } catch (err) {
      setErrors({ byField: {}, general: [errorMessage(err)] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Dialog
        open={open}
        onClose={onClose}
        title={
          step === "attach" ? `Attach a channel to ${event.name}` : step === "create" ? "Add a notification channel" : "Channel added"
        }
        testId={step === "attach" ? "attach-dialog" : step === "create" ? "create-channel-dialog" : "channel-added-dialog"}
        footer={
          step === "attach" ? (
            <>
              <Button variant="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button variant="primary" onClick={save} disabled={busy}>
                Save
              </Button>
            </>
          ) : undefined
        }
      >
        {step === "secret" && secret ? (
          <SecretPanel
            secret={secret}
            onDone={() => {
              setSecret(null);
              setStep("attach");
            }}
          />
        ) : step === "create" ? (
          <ChannelForm
            submitLabel="Add channel"
            onCancel={() => setStep("attach")}
            onSaved={(channel, newSecret) => {
              setChannels((list) => [...(list ?? []), channel]);
              setChannelId(channel.id);
              setErrors(NO_ERRORS);
              setSecret(newSecret);
              setStep(newSecret ? "secret" : "attach");
            }}
          />
        ) : (
          <Box display="flex" flexDirection="column" gap={5}>
            <FormErrors messages={errors.general} />
            {event.postbackOnly ? (
              <Text size={2} color="default2">
                {event.name} can only be sent to postback channels.
              </Text>
            ) : null}
            <Box>
              <Box display="flex" gap={2} alignItems="flex-start">
                <Box __flex="1" data-testid="channel-select">
                  {channels === null ? (
                    <Loading label="Loading channels…" />
                  ) : (
                    <Select
                      label="Channel"
                      options={options}
                      value={options.find((o) => o.value === channelId) ?? null}
                      error={Boolean(errors.byField.channel)}
                      onChange={(o) => {
                        setChannelId(typeof o === "string" ? o : o?.value ?? null);
                        setErrors((e) => ({ ...e, byField: { ...e.byField, channel: "" } }));
                      }}
                      helperText={
                        channels.length || errors.byField.channel ? undefined : "You have no channels yet: add one with the Add button."
                      }
                    />
                  )}
                </Box>
                <Button variant="secondary" icon={<Plus size={16} />} onClick={() => setStep("create")} __height="52px">
                  Add
                </Button>
              </Box>
              <FieldError message={errors.byField.channel} />
            </Box>
            <SourcesField value={sources} onChange={setSources} error={errors.byField.sources} />
          </Box>
        )}
      </Dialog>
    </>
  );
}

function EditSourcesDialog({
  attachment,
  onClose,
  onSaved,
}: {
  attachment: Attachment | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [sources, setSources] = useState<Source[]>([]);
  const [errors, setErrors] = useState<FormErrorState>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (attachment) {
      setSources(attachment.sources);
      setErrors(NO_ERRORS);
    }
  }, [attachment]);
  const save = async () => {
    if (!attachment) return;
    setBusy(true);
    try {
      const result = await api.updateAttachment(attachment.id, sources);
      if (result.errors.length) setErrors(attachErrors(result.errors));
      else onSaved();
    } catch (err) {
      setErrors({ byField: {}, general: [errorMessage(err)] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={attachment !== null}
      onClose={onClose}
      title={`Edit sources of ${attachment?.channel.name ?? ""}`}
      testId="edit-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" onClick={save} disabled={busy}>
            Save
          </Button>
        </>
      }
    >
      <FormErrors messages={[...errors.general, ...(errors.byField.channel ? [errors.byField.channel] : [])]} />
      <SourcesField value={sources} onChange={setSources} error={errors.byField.sources} />
    </Dialog>
  );
}

export function EventDetailPage({ type }: { type: EventType }) {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const [event, setEvent] = useState<NotificationEvent | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attachOpen, setAttachOpen] = useState(false);
  const [editing, setEditing] = useState<Attachment | null>(null);
  const [deleting, setDeleting] = useState<Attachment | null>(null);
  const [deleteErrors, setDeleteErrors] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [switchError, setSwitchError] = useState<string | null>(null);

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
    setSwitchError(null);
    setEvent({ ...event, isEnabled });
    try {
      const result = await api.setEnabled(event.type, isEnabled);
      if (result.errors.length) setSwitchError(result.errors.map((e) => e.message).join(" "));
      else say(`${event.name} ${isEnabled ? "enabled" : "disabled"}.`);
    } catch (err) {
      setSwitchError(errorMessage(err));
    }
    load();
  };

  const remove = async () => {
    if (!deleting) return;
    try {
      const result = await api.detach(deleting.id);
      if (result.errors.length) {
        setDeleteErrors(result.errors.map((e) => e.message));
        return;
      }
      say(`${deleting.channel.name} will no longer be notified of ${event?.name}.`);
      setDeleting(null);
      load();
    } catch (err) {
      setDeleteErrors([errorMessage(err)]);
    }
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
      {message ? (
        <Box role="status" data-testid="success-message" padding={3} marginBottom={4} borderRadius={3} backgroundColor="success1">
          <Text>{message}</Text>
        </Box>
      ) : null}
      <Card title="Channels notified of this event" testId="attachments">
        {event.channels.length === 0 ? (
          <Text as="p" color="default2" data-testid="no-attachments">
            No channel is attached to this event yet.
          </Text>
        ) : (
          <Box as="ul" margin={0} padding={0}>
            {event.channels.map((attachment, index) => (
              <Box
                as="li"
                key={attachment.id}
                data-testid="attachment"
                display="flex"
                alignItems="center"
                justifyContent="space-between"
                paddingY={3}
                borderTopWidth={index ? 1 : 0}
                borderTopStyle="solid"
                borderColor="default1"
                style={{ listStyle: "none" }}
              >
                <Box>
                  <Text fontWeight="bold">{attachment.channel.name}</Text>{" "}
                  <Text size={2} color="default2">
                    {KIND_LABEL[attachment.channel.kind]}
                    {attachment.channel.isActive ? "" : " · inactive"}
                  </Text>
                  <Box display="flex" gap={1} paddingTop={1} data-testid="attachment-sources">
                    {attachment.sources.map((s) => (
                      <Mark key={s}>{sourceLabel(s)}</Mark>
                    ))}
                  </Box>
                </Box>
                <MoreMenu
                  label={`Actions for ${attachment.channel.name}`}
                  items={[
                    { label: "Edit", onSelect: () => setEditing(attachment) },
                    {
                      label: "Delete",
                      danger: true,
                      onSelect: () => {
                        setDeleteErrors([]);
                        setDeleting(attachment);
                      },
                    },
                  ]}
                />
              </Box>
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
        errors={deleteErrors}
        onConfirm={remove}
        onClose={() => setDeleting(null)}
      />
    </Box>
  );
}
