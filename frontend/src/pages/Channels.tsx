import { Box, Button, Text } from "@saleor/macaw-ui";
import { ArrowLeft, Plus } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, errorMessage, type Channel, type Delivery } from "../api";
import { useBridge } from "../bridge";
import { ChannelForm } from "../components/ChannelForm";
import { DeliveryTable } from "../components/Deliveries";
import {
  Card,
  ConfirmDialog,
  Dialog,
  ErrorNotice,
  formatTime,
  Loading,
  Mark,
  PageHeader,
  SecretReveal,
  TableHead,
} from "../components/ui";
import { EVENT_LABEL, KIND_LABEL, type EventType } from "../events";
import { useRouter } from "../router";

type ChannelRow = Channel & { events: { id: string; event: string }[] };

const target = (c: Channel) => (c.kind === "EMAIL" ? c.emails.join(", ") : c.url ?? "");

export function ChannelsPage() {
  const { navigate } = useRouter();
  const [channels, setChannels] = useState<ChannelRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const load = useCallback(() => {
    api.channels().then(setChannels, setError);
  }, []);
  useEffect(load, [load]);

  return (
    <Box>
      <PageHeader
        title="Notification channels"
        actions={
          <Button variant="primary" icon={<Plus size={16} />} onClick={() => setCreating(true)}>
            Create channel
          </Button>
        }
      />
      {error ? <ErrorNotice error={error} permission="Manage plugins (MANAGE_PLUGINS)" /> : null}
      {!channels && !error ? <Loading /> : null}
      {channels ? (
        <Card testId="channels">
          {channels.length === 0 ? (
            <Text color="default2">No channel yet. Create one, then attach it to events in System notifications.</Text>
          ) : (
            <Box as="table" width="100%" __borderCollapse="collapse">
              <TableHead columns={["Name", "Kind", "Target", "Events", "Status"]} />
              <Box as="tbody">
                {channels.map((c) => (
                  <Box
                    as="tr"
                    key={c.id}
                    data-testid="channel-row"
                    cursor="pointer"
                    backgroundColor={{ default: "default1", hover: "default1Hovered" }}
                    onClick={() => navigate(`channels/${encodeURIComponent(c.id)}`)}
                  >
                    <Box as="td" paddingY={3} paddingRight={3}>
                      <Text fontWeight="bold" textDecoration="underline">
                        {c.name}
                      </Text>
                    </Box>
                    <Box as="td" paddingY={3} paddingRight={3}>
                      <Text>{KIND_LABEL[c.kind]}</Text>
                    </Box>
                    <Box as="td" paddingY={3} paddingRight={3} __maxWidth="280px" overflow="hidden" textOverflow="ellipsis" whiteSpace="nowrap">
                      <Text size={2}>{target(c)}</Text>
                    </Box>
                    <Box as="td" paddingY={3} paddingRight={3}>
                      <Text size={2}>{c.events.length}</Text>
                    </Box>
                    <Box as="td" paddingY={3}>
                      {c.isActive ? <Mark tone="success">Active</Mark> : <Mark>Inactive</Mark>}
                    </Box>
                  </Box>
                ))}
              </Box>
            </Box>
          )}
        </Card>
      ) : null}
      <Dialog open={creating} onClose={() => setCreating(false)} title="Create a notification channel" testId="create-channel-dialog">
        <ChannelForm
          onCancel={() => setCreating(false)}
          onSaved={(channel, newSecret) => {
            setCreating(false);
            setCreated(channel.name);
            setSecret(newSecret ?? null);
            load();
          }}
        />
      </Dialog>
      <SecretReveal secret={secret} title={`${created ?? "Channel"} created`} onClose={() => setSecret(null)} />
    </Box>
  );
}

function health(deliveries: Delivery[]) {
  const final = deliveries.filter((d) => d.status !== "PENDING");
  const ok = final.filter((d) => d.status === "SUCCESS").length;
  const failed = final.length - ok;
  const last = final[0];
  const lastSuccess = deliveries.find((d) => d.status === "SUCCESS");
  const lastFailure = deliveries.find((d) => d.status === "FAILED");
  const state = !last ? "none" : last.status === "SUCCESS" ? (failed ? "recovered" : "healthy") : "failing";
  return { ok, failed, pending: deliveries.length - final.length, lastSuccess, lastFailure, state };
}

export function ChannelDetailPage({ id }: { id: string }) {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const [channel, setChannel] = useState<(Channel & { events: { id: string; event: string; sources: string[] }[] }) | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [deliveryError, setDeliveryError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<"rotate" | "delete" | null>(null);
  const [actionErrors, setActionErrors] = useState<string[]>([]);
  const [testResult, setTestResult] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [saved, setSaved] = useState(false);

  const load = useCallback(() => {
    api.channel(id).then((c) => (c ? setChannel(c) : setError(new Error("This channel does not exist (any more)."))), setError);
    api.deliveries({ channel: id }, 50).then(setDeliveries, setDeliveryError);
  }, [id]);
  useEffect(load, [load]);

  const back = <Button variant="tertiary" icon={<ArrowLeft size={18} />} aria-label="Back to channels" onClick={() => navigate("channels")} />;
  if (error)
    return (
      <Box>
        <PageHeader title="Channel" back={back} />
        <ErrorNotice error={error} permission="Manage plugins (MANAGE_PLUGINS)" />
      </Box>
    );
  if (!channel) return <Loading />;

  const sendTest = async () => {
    setTesting(true);
    setTestResult(null);
    try {
      const r = await api.testChannel(channel.id);
      if (r.errors.length || !r.result) setTestResult(r.errors.map((e) => e.message).join(" ") || "The test could not run.");
      else {
        const res = r.result;
        setTestResult(
          res.success
            ? `Test delivered${res.statusCode ? ` (HTTP ${res.statusCode})` : ""} in ${res.durationMs} ms.`
            : `Test failed: ${res.statusCode ? `HTTP ${res.statusCode}` : res.errorKind ?? ""} ${res.errorMessage ?? ""}`.trim(),
        );
      }
    } catch (err) {
      setTestResult(errorMessage(err));
    } finally {
      setTesting(false);
    }
  };

  const doConfirm = async () => {
    setActionErrors([]);
    try {
      if (confirm === "rotate") {
        const r = await api.rotateSecret(channel.id);
        if (r.errors.length) return setActionErrors(r.errors.map((e) => e.message));
        setConfirm(null);
        setSecret(r.secret);
        load();
      } else if (confirm === "delete") {
        const r = await api.deleteChannel(channel.id);
        if (r.errors.length) return setActionErrors(r.errors.map((e) => e.message));
        setConfirm(null);
        notify("success", `${channel.name} deleted`);
        navigate("channels");
      }
    } catch (err) {
      setActionErrors([errorMessage(err)]);
    }
  };

  const h = deliveries ? health(deliveries) : null;
  return (
    <Box>
      <PageHeader
        title={channel.name}
        back={back}
        actions={
          <>
            <Button variant="secondary" onClick={sendTest} disabled={testing}>
              {testing ? "Sending…" : "Send test"}
            </Button>
            <Button variant="secondary" onClick={() => setConfirm("rotate")} disabled={channel.kind !== "POSTBACK"}>
              Rotate secret
            </Button>
            <Button variant="error" onClick={() => setConfirm("delete")}>
              Delete
            </Button>
          </>
        }
      />
      {testResult ? (
        <Box role="status" data-testid="test-result" padding={3} marginBottom={4} borderRadius={3} borderWidth={1}
          borderStyle="solid"
          borderColor={testResult.startsWith("Test delivered") ? "success1" : "critical1"}
          backgroundColor={testResult.startsWith("Test delivered") ? "success1" : "default1"}>
          <Text>{testResult}</Text>
        </Box>
      ) : null}
      <Box display="grid" __gridTemplateColumns="minmax(0, 3fr) minmax(0, 2fr)" gap={6}>
        <Box>
          <Card title="Settings">
            {saved ? (
              <Box role="status" paddingBottom={3}>
                <Text color="success1">Saved.</Text>
              </Box>
            ) : null}
            <ChannelForm
              key={channel.updatedAt}
              channel={channel}
              onSaved={() => {
                setSaved(true);
                notify("success", "Channel saved");
                load();
              }}
            />
            {channel.kind === "POSTBACK" ? (
              <Text as="p" size={2} color="default2" paddingTop={4}>
                Signing secret: ••••{channel.secretLastChars}
              </Text>
            ) : null}
          </Card>
          <Card title="Recent deliveries" testId="channel-deliveries">
            {deliveryError ? <ErrorNotice error={deliveryError} permission="Manage orders (MANAGE_ORDERS)" /> : null}
            {!deliveries && !deliveryError ? <Loading /> : null}
            {deliveries && deliveries.length === 0 ? <Text color="default2">Nothing was sent to this channel yet.</Text> : null}
            {deliveries && deliveries.length ? <DeliveryTable deliveries={deliveries.slice(0, 20)} showChannel={false} /> : null}
          </Card>
        </Box>
        <Box>
          <Card title="Health" testId="health">
            {!h ? (
              <Text color="default2">{deliveryError ? "Needs the Manage orders permission." : "…"}</Text>
            ) : (
              <Box display="flex" flexDirection="column" gap={2}>
                <Box>
                  {h.state === "none" ? <Mark>No deliveries yet</Mark> : null}
                  {h.state === "healthy" ? <Mark tone="success">Healthy</Mark> : null}
                  {h.state === "recovered" ? <Mark tone="warning">Recovering</Mark> : null}
                  {h.state === "failing" ? <Mark tone="critical">Failing</Mark> : null}
                </Box>
                <Text size={2}>
                  Last {deliveries!.length} deliveries: {h.ok} delivered, {h.failed} failed, {h.pending} pending.
                </Text>
                <Text size={2}>Last success: {formatTime(h.lastSuccess?.updatedAt)}</Text>
                <Text size={2}>Last failure: {formatTime(h.lastFailure?.updatedAt)}</Text>
              </Box>
            )}
          </Card>
          <Card title="Attached to">
            {channel.events.length === 0 ? (
              <Text color="default2">No event yet.</Text>
            ) : (
              channel.events.map((e) => (
                <Box key={e.id} paddingY={1}>
                  <Box as="button" type="button" onClick={() => navigate(`events/${e.event}`)} borderWidth={0} backgroundColor="default1" padding={0} cursor="pointer">
                    <Text textDecoration="underline">{EVENT_LABEL[e.event as EventType] ?? e.event}</Text>
                  </Box>
                </Box>
              ))
            )}
          </Card>
        </Box>
      </Box>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm === "rotate" ? "Rotate the signing secret?" : `Delete ${channel.name}?`}
        text={
          confirm === "rotate"
            ? "A new secret is made and shown once. The previous one keeps signing (a second signature) for 24 hours, so receivers can switch."
            : "The channel and its attachments are removed. Its delivery log is kept."
        }
        confirmLabel={confirm === "rotate" ? "Rotate" : "Delete"}
        errors={actionErrors}
        onConfirm={doConfirm}
        onClose={() => setConfirm(null)}
      />
      <SecretReveal secret={secret} title="New signing secret" onClose={() => setSecret(null)} />
    </Box>
  );
}
