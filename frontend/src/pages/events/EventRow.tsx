import { Box, Text } from "@saleor/macaw-ui";

import { api, errorMessages, type NotificationEvent } from "../../api";
import { useBridge } from "../../bridge";
import { EventMarks } from "../../components/EventMarks";
import { EVENT_HELP } from "../../events";
import { useRouter } from "../../router";
import { SwitchControl } from "../../ui";
import { useMutation } from "../../useMutation";

/** One event of the list: its name (to its page), what it means, its channels and its switch. */
export function EventRow({
  event,
  first,
  onSwitched,
  reload,
}: {
  event: NotificationEvent;
  first: boolean;
  /** Show the switch's new position at once, before the API answers. */
  onSwitched: (isEnabled: boolean) => void;
  /** The API refused the switch: fetch the events again. */
  reload: () => void;
}) {
  const { navigate } = useRouter();
  const { notify } = useBridge();
  const setEnabled = useMutation(api.setEnabled);
  const error = errorMessages(setEnabled.errors).join(" ");

  const toggle = async (isEnabled: boolean) => {
    onSwitched(isEnabled);
    if (await setEnabled.run(event.type, isEnabled)) notify("success", `${event.name} ${isEnabled ? "enabled" : "disabled"}`);
    else reload();
  };

  return (
    <Box
      as="li"
      data-testid={`event-row-${event.type}`}
      display="flex"
      alignItems="center"
      justifyContent="space-between"
      gap={4}
      paddingY={4}
      borderTopWidth={first ? 0 : 1}
      borderTopStyle="solid"
      borderColor="default1"
      style={{ listStyle: "none" }}
    >
      <Box __flex="1">
        <Box display="flex" alignItems="center" gap={2} flexWrap="wrap">
          <Box
            as="button"
            type="button"
            onClick={() => navigate(`events/${event.type}`)}
            borderWidth={0}
            backgroundColor="default1"
            padding={0}
            cursor="pointer"
            textAlign="left"
          >
            <Text size={5} fontWeight="bold" textDecoration="underline">
              {event.name}
            </Text>
          </Box>
          <EventMarks event={event} />
        </Box>
        <Text as="p" size={2} color="default2" paddingTop={1}>
          {EVENT_HELP[event.type]}
        </Text>
        {error ? (
          <Text as="p" size={2} color="critical1" role="alert">
            {error}
          </Text>
        ) : null}
      </Box>
      <Box display="flex" alignItems="center" gap={4}>
        <Text size={2} color="default2" data-testid="channel-count" __whiteSpace="nowrap">
          {event.channels.length === 1 ? "1 channel" : `${event.channels.length} channels`}
        </Text>
        <SwitchControl checked={event.isEnabled} label={`Enable ${event.name}`} onChange={toggle} />
      </Box>
    </Box>
  );
}
