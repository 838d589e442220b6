import { Box, Button, Text } from "@saleor/macaw-ui";
import { type ReactNode, useEffect, useRef, useState } from "react";

import { api, ApiError, errorMessage, type AttemptExchange, type Header } from "../../api";
import { useBridge } from "../../bridge";
import { copyKeys, copyText, formatTime, Loading, selectText } from "../../ui";

const PRE = {
  as: "pre" as const,
  padding: 3 as const,
  margin: 0 as const,
  borderRadius: 3 as const,
  backgroundColor: "default2" as const,
  color: "default1" as const,
  fontSize: 2 as const,
  __whiteSpace: "pre-wrap",
  __wordBreak: "break-all",
  __maxHeight: "320px",
  overflowY: "auto" as const,
};

const headerLines = (headers: Header[] | null) => (headers ?? []).map((h) => `${h.name}: ${h.value}`).join("\n");

function outcome(a: AttemptExchange): string {
  if (a.statusCode) return `HTTP ${a.statusCode}`;
  return a.errorKind ? a.errorKind.replace(/_/g, " ").toLowerCase() : a.verdict;
}

/** A block of text with a copy button (the dashboard's frame may refuse the clipboard: then it is selected). */
function CopyBlock({ text, label, testId }: { text: string; label: string; testId: string }) {
  const { notify } = useBridge();
  const block = useRef<HTMLElement>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const copy = async () => {
    const ok = await copyText(text, block.current);
    selectText(block.current);
    setResult(ok ? { ok, text: "Copied to the clipboard." } : { ok, text: `The browser did not let this page copy. The command is selected: press ${copyKeys()} to copy it.` });
    if (ok) notify("success", "Command copied");
  };
  return (
    <Box>
      <Box {...PRE} ref={block} data-testid={testId} tabIndex={0} onFocus={() => selectText(block.current)}>
        {text}
      </Box>
      <Box display="flex" alignItems="center" gap={3} paddingTop={2}>
        <Button variant="secondary" size="small" onClick={copy}>
          {label}
        </Button>
        {result ? (
          <Text size={1} color={result.ok ? "default2" : "critical1"} role="status" data-testid="copy-result" data-copied={result.ok}>
            {result.text}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box paddingTop={3} display="flex" flexDirection="column" gap={2}>
      <Text size={2} fontWeight="bold">
        {title}
      </Text>
      {children}
    </Box>
  );
}

/** One attempt: the request as sent (secrets masked), the response, and a curl command that sends it again. */
function AttemptExchangeView({ a }: { a: AttemptExchange }) {
  const r = a.request;
  return (
    <Box as="section" aria-label={`Attempt ${a.number}`} data-testid="attempt-exchange" paddingY={3} borderTopWidth={1} borderTopStyle="solid" borderColor="default1">
      <Text fontWeight="medium">
        Attempt {a.number} ({a.trigger === "MANUAL" ? "manual retry" : "automatic"}) · {formatTime(a.startedAt)} · {a.durationMs} ms · {outcome(a)}
      </Text>
      {a.errorMessage ? (
        <Text as="p" size={2} color="default2">
          {a.errorMessage}
        </Text>
      ) : null}
      {r ? (
        <Section title="Request">
          <Box {...PRE} data-testid="request-headers">
            {`${r.method}${r.url ? ` ${r.url}` : ""}\n${headerLines(r.headers)}`}
          </Box>
          {r.body !== null ? (
            <Box {...PRE} data-testid="request-body">
              {r.body}
            </Box>
          ) : (
            <Text size={2} color="default2">
              The body ({r.bodySize} bytes) can no longer be derived exactly from the event.
            </Text>
          )}
        </Section>
      ) : (
        <Text as="p" size={2} color="default2" paddingTop={2}>
          No request is kept for this attempt.
        </Text>
      )}
      <Section title="Response">
        {a.statusCode || a.responseHeaders?.length ? (
          <Box {...PRE} data-testid="response-headers">
            {`${a.statusCode ? `Status ${a.statusCode}` : "No status"}\n${headerLines(a.responseHeaders)}`}
          </Box>
        ) : null}
        {a.responseExcerpt ? (
          <Box {...PRE} data-testid="response-excerpt">
            {a.responseExcerpt}
          </Box>
        ) : (
          <Text size={2} color="default2">
            {a.statusCode ? "Empty body." : "No response."}
          </Text>
        )}
      </Section>
      {r?.curl ? (
        <Section title="Send it again with curl">
          <CopyBlock text={r.curl} label="Copy curl command" testId="curl-command" />
          {r.curlNote ? (
            <Text as="p" size={1} color="default2" data-testid="curl-note">
              {r.curlNote}
            </Text>
          ) : null}
        </Section>
      ) : null}
    </Box>
  );
}

/** What each attempt of a delivery sent and got back, loaded when opened. */
export function ExchangePanel({ deliveryId }: { deliveryId: string }) {
  const [attempts, setAttempts] = useState<AttemptExchange[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.deliveryExchange(deliveryId).then((d) => setAttempts(d?.attempts ?? []), setError);
  }, [deliveryId]);
  if (error)
    return (
      <Text as="p" role="alert" color="critical1" size={2} data-testid="exchange-error">
        {error instanceof ApiError && error.isPermissionDenied
          ? "Reading what was sent needs the permission that reading this event's payload needs (Manage orders; Manage users for a customer's data)."
          : errorMessage(error)}
      </Text>
    );
  if (!attempts) return <Loading />;
  if (!attempts.length)
    return (
      <Text as="p" size={2} color="default2">
        No attempt yet.
      </Text>
    );
  return (
    <Box data-testid="exchange" __minWidth="0">
      {[...attempts].reverse().map((a) => (
        <AttemptExchangeView key={a.number} a={a} />
      ))}
    </Box>
  );
}
