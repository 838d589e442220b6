import { Box, Button, Text } from "@saleor/macaw-ui";
import { useRef, useState } from "react";

import { useBridge } from "../bridge";
import { copyKeys, copyText, selectText } from "../ui";

type CopyResult = { ok: boolean; text: string } | null;

/** The signing secret, shown once, with copy. */
export function SecretPanel({ secret, onDone }: { secret: string; onDone: () => void }) {
  const { notify } = useBridge();
  const value = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<CopyResult>(null);
  const copy = async () => {
    const ok = await copyText(secret, value.current);
    selectText(value.current);
    if (ok) {
      setCopied({ ok, text: "Copied to the clipboard." });
      notify("success", "Secret copied");
    } else {
      setCopied({ ok, text: `The browser did not let this page copy. The secret is selected: press ${copyKeys()} to copy it.` });
    }
  };
  return (
    <Box data-testid="secret-dialog">
      <Text as="p" paddingBottom={4}>
        This is the channel's signing secret. It is shown <strong>only now</strong>: store it where your receiver
        verifies the Standard Webhooks signature. Later only its last four characters are shown.
      </Text>
      <Box
        as="pre"
        ref={value}
        data-testid="secret-value"
        tabIndex={0}
        onFocus={() => selectText(value.current)}
        onClick={() => selectText(value.current)}
        padding={3}
        margin={0}
        borderRadius={3}
        backgroundColor="default2"
        color="default1"
        fontSize={3}
        __whiteSpace="pre-wrap"
        __wordBreak="break-all"
        cursor="text"
        style={{ userSelect: "all" }}
      >
        {secret}
      </Box>
      {copied ? (
        <Text as="p" size={2} paddingTop={2} color={copied.ok ? "default2" : "critical1"} role="status" data-testid="copy-result" data-copied={copied.ok}>
          {copied.text}
        </Text>
      ) : null}
      <Box display="flex" justifyContent="flex-end" gap={2} paddingTop={6}>
        <Button variant="secondary" onClick={copy}>
          Copy
        </Button>
        <Button variant="primary" onClick={onDone}>
          I have stored it
        </Button>
      </Box>
    </Box>
  );
}
