import { Box, Button, Text } from "@saleor/macaw-ui";
import { Plus } from "lucide-react";
import { useCallback, useEffect, useState } from "react";

import { api, type Channel } from "../../api";
import { ChannelForm } from "../../components/ChannelForm";
import { ErrorNotice } from "../../components/ErrorNotice";
import { SecretReveal } from "../../components/SecretReveal";
import { KIND_LABEL } from "../../events";
import { useRouter } from "../../router";
import { Card, Dialog, Loading, Mark, PageHeader, TableHead } from "../../ui";

type ChannelRow = Channel & { events: { id: string; event: string }[] };

const target = (c: Channel) => (c.kind === "EMAIL" ? c.emails.join(", ") : c.url ?? "");

/** Notification channels: the list, and the dialog that creates one. */
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
