import { Box, Button, Text } from "@saleor/macaw-ui";
import { ArrowLeft } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, errorMessages, type Channel, type ChannelHealth, type Delivery, type Recovery } from "../../api";
import { useBridge } from "../../bridge";
import { ChannelForm } from "../../components/ChannelForm";
import { DeliveryTable } from "../../components/deliveries/DeliveryTable";
import { ErrorNotice } from "../../components/ErrorNotice";
import { SecretReveal } from "../../components/SecretReveal";
import { useRouter } from "../../router";
import { Card, ConfirmDialog, FormErrors, Loading, PageHeader } from "../../ui";
import { useMutation } from "../../useMutation";
import { AttachedEventsCard } from "./AttachedEventsCard";
import { HealthCard } from "./HealthCard";
import { RecoverDialog } from "./RecoverDialog";
import { TestResult } from "./TestResult";

type ChannelWithEvents = Channel & { events: { id: string; event: string; sources: string[] }[]; health: ChannelHealth };
type TestSend = { success: boolean; statusCode: number | null; errorKind: string | null; errorMessage: string | null; durationMs: number };

/** The two actions that ask first. */
type Confirm = "rotate" | "delete";

function testSummary(res: TestSend): string {
  return res.success
    ? `Test delivered${res.statusCode ? ` (HTTP ${res.statusCode})` : ""} in ${res.durationMs} ms.`
    : `Test failed: ${res.statusCode ? `HTTP ${res.statusCode}` : res.errorKind ?? ""} ${res.errorMessage ?? ""}`.trim();
}

/** One channel: its settings, a test send, its secret, its deliveries and health, its events. */
export function ChannelDetailPage({ id }: { id: string }) {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const [channel, setChannel] = useState<ChannelWithEvents | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [deliveryError, setDeliveryError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [testOutcome, setTestOutcome] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [recovering, setRecovering] = useState(false);
  const [recovered, setRecovered] = useState<string | null>(null);
  const test = useMutation(api.testChannel);
  const resume = useMutation(api.resumeChannel);
  const confirmed = useMutation(async (action: Confirm, channelId: string) =>
    action === "rotate" ? await api.rotateSecret(channelId) : await api.deleteChannel(channelId),
  );

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
    setTestOutcome(null);
    const r = await test.run(channel.id);
    if (r) setTestOutcome(r.result ? testSummary(r.result) : "The test could not run.");
  };
  const testResult = test.errors.length ? errorMessages(test.errors).join(" ") || "The test could not run." : testOutcome;

  const doResume = async () => {
    const r = await resume.run(channel.id);
    if (!r) return;
    notify("success", `${channel.name} resumed: ${r.released ?? 0} held ${r.released === 1 ? "delivery" : "deliveries"} sent, oldest first`);
    load();
  };

  const doConfirm = async () => {
    if (!confirm) return;
    const r = await confirmed.run(confirm, channel.id);
    if (!r) return;
    setConfirm(null);
    if ("secret" in r) {
      setSecret(r.secret);
      load();
    } else {
      notify("success", `${channel.name} deleted`);
      navigate("channels");
    }
  };

  const queued = (r: Recovery) => {
    setRecovering(false);
    const what = r.count === 1 ? "1 delivery" : `${r.count} deliveries`;
    const last = r.lastSendAt ? new Date(r.lastSendAt).toLocaleTimeString() : null;
    const text = r.count
      ? `${what} queued to be sent again${last && r.count > 1 ? `; the last at ${last}` : ""}.`
      : "Nothing to send again.";
    setRecovered(text);
    notify("success", text);
    load();
  };

  return (
    <Box>
      <PageHeader
        title={channel.name}
        back={back}
        actions={
          <>
            <Button variant="secondary" onClick={sendTest} disabled={test.busy}>
              {test.busy ? "Sending…" : "Send test"}
            </Button>
            <Button variant="secondary" onClick={() => setRecovering(true)} disabled={!channel.isActive}
              title={channel.isActive ? undefined : "Activate the channel to recover it."}>
              Recover since…
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
      {testResult ? <TestResult text={testResult} /> : null}
      <FormErrors messages={errorMessages(resume.errors)} />
      {recovered ? (
        <Box role="status" data-testid="recover-result" paddingBottom={4}>
          <Text color="success1">{recovered}</Text>
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
          <HealthCard health={channel.health} paused={channel.isPaused} resuming={resume.busy} onResume={doResume} />
          <AttachedEventsCard events={channel.events} />
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
        busy={confirmed.busy}
        errors={errorMessages(confirmed.errors)}
        onConfirm={doConfirm}
        onClose={() => setConfirm(null)}
      />
      <RecoverDialog open={recovering} channel={channel} onClose={() => setRecovering(false)} onQueued={queued} />
      <SecretReveal secret={secret} title="New signing secret" onClose={() => setSecret(null)} />
    </Box>
  );
}
