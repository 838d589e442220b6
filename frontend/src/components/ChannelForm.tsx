import { Box, Button, Checkbox, Input, Select, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";

import { api, errorMessage, splitErrors, type Channel, type FieldError as ApiFieldError, type FormErrorState } from "../api";
import { KIND_LABEL, type ChannelKind } from "../events";
import { FieldError, FormErrors } from "./ui";

const KIND_OPTIONS = (Object.keys(KIND_LABEL) as ChannelKind[]).map((k) => ({ value: k, label: KIND_LABEL[k] }));

const parseEmails = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);

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
  const [errors, setErrors] = useState<FormErrorState>({ byField: {}, general: [] });
  const [busy, setBusy] = useState(false);
  const editing = Boolean(channel);

  const submit = async () => {
    setBusy(true);
    setErrors({ byField: {}, general: [] });
    const input: Record<string, unknown> = { name, isActive };
    if (!editing) input.kind = kind;
    if (kind === "EMAIL") input.emails = parseEmails(emails);
    else if (!(editing && kind === "SLACK" && !url)) input.url = url; // a Slack URL is a secret: blank keeps it
    try {
      let result: { channel: Channel | null; errors: ApiFieldError[]; secret?: string | null };
      if (channel) result = await api.updateChannel(channel.id, input);
      else result = await api.createChannel(input);
      if (result.errors.length || !result.channel) {
        const split = splitErrors(result.errors);
        // Errors of fields this form does not show go on top.
        const shown = new Set(["name", "kind", "url", "emails", "isActive"]);
        const byField: Record<string, string> = {};
        for (const [f, m] of Object.entries(split.byField)) (shown.has(f) ? (byField[f] = m) : split.general.push(m));
        setErrors({ byField, general: split.general });
        return;
      }
      onSaved(result.channel, result.secret ?? null);
    } catch (err) {
      setErrors({ byField: {}, general: [errorMessage(err)] });
    } finally {
      setBusy(false);
    }
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
      <Box display="flex" justifyContent="flex-end" gap={2}>
        {onCancel ? (
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" variant="primary" disabled={busy}>
          {submitLabel ?? (editing ? "Save" : "Create channel")}
        </Button>
      </Box>
    </Box>
  );
}
