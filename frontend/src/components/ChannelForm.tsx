import { Box, Button, Checkbox, Input, Select, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";

import { api, splitErrors, type Channel, type FieldError as ApiFieldError, type FormErrorState } from "../api";
import { KIND_LABEL, type ChannelKind } from "../events";
import { FieldError, FormErrors } from "../ui";
import { useMutation } from "../useMutation";

const KIND_OPTIONS = (Object.keys(KIND_LABEL) as ChannelKind[]).map((k) => ({ value: k, label: KIND_LABEL[k] }));

/** The fields this form shows; errors of other fields go on top. */
const SHOWN_FIELDS = new Set(["name", "kind", "url", "emails", "isActive", "pauseOnAlert"]);

const parseEmails = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);

function formErrors(errors: ApiFieldError[]): FormErrorState {
  const split = splitErrors(errors);
  const byField: Record<string, string> = {};
  for (const [f, m] of Object.entries(split.byField)) (SHOWN_FIELDS.has(f) ? (byField[f] = m) : split.general.push(m));
  return { byField, general: split.general };
}

type SaveResult = { channel: Channel | null; errors: ApiFieldError[]; secret?: string | null };

/** Create or edit a channel; every error the API returns is shown next to its field. */
export function ChannelForm({
  channel,
  onSaved,
  onCancel,
  submitLabel,
}: {
  channel?: Channel;
  onSaved: (channel: Channel, secret: string | null) => void;
  onCancel?: () => void;
  submitLabel?: string;
}) {
  const [name, setName] = useState(channel?.name ?? "");
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? "POSTBACK");
  const [url, setUrl] = useState(channel?.kind === "SLACK" ? "" : channel?.url ?? "");
  const [emails, setEmails] = useState((channel?.emails ?? []).join("\n"));
  const [isActive, setIsActive] = useState(channel?.isActive ?? true);
  const [pauseOnAlert, setPauseOnAlert] = useState(channel?.pauseOnAlert ?? false);
  const save = useMutation(
    (input: Record<string, unknown>): Promise<SaveResult> => (channel ? api.updateChannel(channel.id, input) : api.createChannel(input)),
  );
  const errors = formErrors(save.errors);
  const editing = Boolean(channel);

  const submit = async () => {
    const input: Record<string, unknown> = { name, isActive, pauseOnAlert };
    if (!editing) input.kind = kind;
    if (kind === "EMAIL") input.emails = parseEmails(emails);
    else if (!(editing && kind === "SLACK" && !url)) input.url = url; // a Slack URL is a secret: blank keeps it
    const result = await save.run(input);
    if (result?.channel) onSaved(result.channel, result.secret ?? null);
  };

  return (
    <Box
      as="form"
      data-testid="channel-form"
      noValidate
      display="flex"
      flexDirection="column"
      gap={4}
      onSubmit={(e: React.FormEvent) => {
        e.preventDefault();
        void submit();
      }}
    >
      <FormErrors messages={errors.general} />
      <Box>
        <Input
          label="Name"
          name="name"
          value={name}
          error={Boolean(errors.byField.name)}
          onChange={(e) => setName(e.target.value)}
        />
        <FieldError message={errors.byField.name} />
      </Box>
      <Box>
        {editing ? (
          <Text size={3} color="default2">
            Kind: {KIND_LABEL[kind]}
          </Text>
        ) : (
          <Select
            label="Kind"
            options={KIND_OPTIONS}
            value={KIND_OPTIONS.find((o) => o.value === kind) ?? null}
            error={Boolean(errors.byField.kind)}
            onChange={(o) => setKind(((typeof o === "string" ? o : o?.value) as ChannelKind) ?? "POSTBACK")}
          />
        )}
        <FieldError message={errors.byField.kind} />
      </Box>
      {kind === "EMAIL" ? (
        <Box>
          <Textarea
            label="E-mail addresses"
            name="emails"
            rows={3}
            value={emails}
            error={Boolean(errors.byField.emails)}
            helperText="One per line, or separated by commas."
            onChange={(e) => setEmails(e.target.value)}
          />
          <FieldError message={errors.byField.emails} />
        </Box>
      ) : (
        <Box>
          <Input
            label={kind === "SLACK" ? "Slack incoming-webhook URL" : "Postback URL"}
            name="url"
            type="url"
            value={url}
            error={Boolean(errors.byField.url)}
            helperText={
              editing && kind === "SLACK"
                ? `Current: ${channel?.url ?? "—"}. Leave empty to keep it.`
                : kind === "POSTBACK"
                  ? "We POST a signed JSON payload here (Standard Webhooks headers)."
                  : undefined
            }
            onChange={(e) => setUrl(e.target.value)}
          />
          <FieldError message={errors.byField.url} />
        </Box>
      )}
      <Checkbox checked={isActive} onCheckedChange={(c: boolean | "indeterminate") => setIsActive(c === true)}>
        <Text>Active (an inactive channel receives nothing)</Text>
      </Checkbox>
      <FieldError message={errors.byField.isActive} />
      <Checkbox checked={pauseOnAlert} onCheckedChange={(c: boolean | "indeterminate") => setPauseOnAlert(c === true)}>
        <Text>Pause when it alerts (its deliveries are held until you resume it)</Text>
      </Checkbox>
      <FieldError message={errors.byField.pauseOnAlert} />
      <Box display="flex" justifyContent="flex-end" gap={2}>
        {onCancel ? (
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" variant="primary" disabled={save.busy}>
          {submitLabel ?? (editing ? "Save" : "Create channel")}
        </Button>
      </Box>
    </Box>
  );
}
