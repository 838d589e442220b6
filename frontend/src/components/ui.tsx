import { Box, Button, Checkbox, Dropdown, Modal, Spinner, Text, useTheme } from "@saleor/macaw-ui";
import { EllipsisVertical } from "lucide-react";
import { useEffect, useRef, useState, type ReactNode } from "react";

import { ApiError } from "../api";
import { useBridge } from "../bridge";
import { SOURCES, type Source } from "../events";

export function PageHeader({ title, back, actions }: { title: ReactNode; back?: ReactNode; actions?: ReactNode }) {
  return (
    <Box display="flex" alignItems="center" justifyContent="space-between" gap={4} paddingBottom={6}>
      <Box display="flex" alignItems="center" gap={3}>
        {back}
        <Text as="h1" size={8} fontWeight="bold">
          {title}
        </Text>
      </Box>
      {actions ? (
        <Box display="flex" gap={2}>
          {actions}
        </Box>
      ) : null}
    </Box>
  );
}

export function Card({ children, title, actions, testId }: { children: ReactNode; title?: ReactNode; actions?: ReactNode; testId?: string }) {
  return (
    <Box
      borderWidth={1}
      borderStyle="solid"
      borderColor="default1"
      borderRadius={4}
      backgroundColor="default1"
      padding={6}
      marginBottom={6}
      data-testid={testId}
    >
      {title ? (
        <Box display="flex" justifyContent="space-between" alignItems="center" paddingBottom={4}>
          <Text size={6} fontWeight="bold">
            {title}
          </Text>
          {actions}
        </Box>
      ) : null}
      {children}
    </Box>
  );
}

/** The header row of the pages' tables: one style for every list. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <Box as="thead">
      <Box as="tr">
        {columns.map((h) => (
          <Box as="th" key={h} textAlign="left" paddingY={2} paddingRight={3} borderBottomWidth={1} borderBottomStyle="solid" borderColor="default1">
            <Text size={2} color="default2" fontWeight="medium">
              {h}
            </Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Box display="flex" alignItems="center" gap={3} padding={6} role="status">
      <Spinner />
      <Text color="default2">{label}</Text>
    </Box>
  );
}

/** A refusal or failure of a whole request, with what to do about it. */
export function ErrorNotice({ error, permission }: { error: unknown; permission?: string }) {
  const apiError = error instanceof ApiError ? error : null;
  const denied = apiError?.isPermissionDenied;
  return (
    <Box
      role="alert"
      data-testid={denied ? "permission-denied" : "error"}
      borderWidth={1}
      borderStyle="solid"
      borderColor="critical1"
      backgroundColor="default1"
      borderRadius={4}
      __borderLeftWidth="4px"
      padding={6}
      marginBottom={6}
    >
      <Text as="p" size={5} fontWeight="bold" color="critical1">
        {denied ? "You don't have access to this page" : "Something went wrong"}
      </Text>
      <Text as="p" paddingTop={2}>
        {denied
          ? `Your account needs the ${permission ?? "required"} permission in Saleor. Ask a staff member who manages permission groups to grant it, then reload.`
          : apiError?.message ?? String(error)}
      </Text>
    </Box>
  );
}

export function FormErrors({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <Box role="alert" data-testid="form-errors" paddingBottom={4}>
      {messages.map((m) => (
        <Text key={m} as="p" color="critical1">
          {m}
        </Text>
      ))}
    </Box>
  );
}

export function FieldError({ message, id }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <Text as="p" size={2} color="critical1" paddingTop={1} id={id} data-testid="field-error">
      {message}
    </Text>
  );
}

/** The seed's on/off switch. */
export function SwitchControl({
  checked,
  onChange,
  label,
  disabled,
}: {
  checked: boolean;
  onChange: (value: boolean) => void;
  label: string;
  disabled?: boolean;
}) {
  return (
    <Box
      as="button"
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      cursor={disabled ? "not-allowed" : "pointer"}
      borderWidth={0}
      padding={0.5}
      borderRadius={6}
      backgroundColor={checked ? "accent1" : "default1Pressed"}
      display="flex"
      alignItems="center"
      justifyContent={checked ? "flex-end" : "flex-start"}
      opacity={disabled ? "0.6" : "1"}
      __width="36px"
      __height="20px"
      __transition="background-color 120ms"
    >
      <Box as="span" display="block" borderRadius={6} backgroundColor="default1" __width="16px" __height="16px" />
    </Box>
  );
}

type Tone = "default" | "info" | "success" | "critical" | "warning";

/**
 * The marks' colours per theme. Macaw's tone backgrounds stay pale in the dark theme while its
 * text turns white, so a mark picks both colours itself: pale fill and dark text in the light
 * theme, dark fill and pale text in the dark one (each pair above 4.5:1).
 */
const MARK_COLOURS: Record<"light" | "dark", Record<Tone, { bg: string; fg: string }>> = {
  light: {
    default: { bg: "hsla(220, 14%, 93%, 1)", fg: "hsla(232, 17%, 18%, 1)" },
    info: { bg: "hsla(215, 100%, 92%, 1)", fg: "hsla(215, 80%, 25%, 1)" },
    success: { bg: "hsla(173, 60%, 88%, 1)", fg: "hsla(173, 90%, 18%, 1)" },
    critical: { bg: "hsla(11, 100%, 93%, 1)", fg: "hsla(11, 85%, 30%, 1)" },
    warning: { bg: "hsla(42, 100%, 84%, 1)", fg: "hsla(30, 80%, 20%, 1)" },
  },
  dark: {
    default: { bg: "hsla(232, 12%, 28%, 1)", fg: "hsla(0, 0%, 96%, 1)" },
    info: { bg: "hsla(215, 55%, 24%, 1)", fg: "hsla(215, 100%, 86%, 1)" },
    success: { bg: "hsla(173, 70%, 15%, 1)", fg: "hsla(173, 79%, 72%, 1)" },
    critical: { bg: "hsla(11, 60%, 22%, 1)", fg: "hsla(11, 100%, 87%, 1)" },
    warning: { bg: "hsla(42, 65%, 20%, 1)", fg: "hsla(42, 100%, 80%, 1)" },
  },
};

export function Mark({ children, tone = "default" }: { children: ReactNode; tone?: Tone }) {
  const { theme } = useTheme();
  const colours = MARK_COLOURS[theme === "defaultDark" ? "dark" : "light"][tone];
  return (
    <Box
      as="span"
      display="inline-flex"
      alignItems="center"
      borderRadius={3}
      paddingX={1.5}
      __paddingTop="2px"
      __paddingBottom="2px"
      __backgroundColor={colours.bg}
      __color={colours.fg}
      __whiteSpace="nowrap"
      data-testid="mark"
      data-tone={tone}
    >
      <Text size={2} __color={colours.fg} fontWeight="medium">
        {children}
      </Text>
    </Box>
  );
}

export function SourcesField({
  value,
  onChange,
  error,
}: {
  value: Source[];
  onChange: (value: Source[]) => void;
  error?: string;
}) {
  return (
    <Box as="fieldset" borderWidth={0} padding={0} margin={0} data-testid="sources">
      <Box as="legend" paddingBottom={2}>
        <Text size={3} fontWeight="medium">
          Sources
        </Text>
      </Box>
      <Text as="p" size={2} color="default2" paddingBottom={2}>
        Notify only when the contact, order or subscription comes from these sources.
      </Text>
      <Box display="flex" gap={6}>
        {SOURCES.map((s) => (
          <Checkbox
            key={s.value}
            checked={value.includes(s.value)}
            error={Boolean(error)}
            onCheckedChange={(checked: boolean | "indeterminate") =>
              onChange(checked === true ? [...value.filter((v) => v !== s.value), s.value] : value.filter((v) => v !== s.value))
            }
            aria-label={s.label}
          >
            <Text>{s.label}</Text>
          </Checkbox>
        ))}
      </Box>
      <FieldError message={error} />
    </Box>
  );
}

/** A modal dialog in the dashboard's look. */
export function Dialog({
  open,
  onClose,
  title,
  children,
  footer,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
}) {
  return (
    <Modal open={open} onChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Box
          role="dialog"
          aria-label={typeof title === "string" ? title : undefined}
          data-testid={testId}
          backgroundColor="default1"
          borderRadius={4}
          boxShadow="defaultModal"
          padding={6}
          position="fixed"
          __left="50%"
          __top="10%"
          __transform="translateX(-50%)"
          __width="min(520px, calc(100vw - 32px))"
          __maxHeight="80vh"
          overflowY="auto"
          __zIndex="10"
        >
          <Text as="h2" size={7} fontWeight="bold" paddingBottom={4} display="block">
            {title}
          </Text>
          {children}
          {footer ? (
            <Box display="flex" justifyContent="flex-end" gap={2} paddingTop={6}>
              {footer}
            </Box>
          ) : null}
        </Box>
      </Modal.Content>
    </Modal>
  );
}

export function ConfirmDialog({
  open,
  title,
  text,
  confirmLabel,
  onConfirm,
  onClose,
  busy,
  errors = [],
}: {
  open: boolean;
  title: string;
  text: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onClose: () => void;
  busy?: boolean;
  errors?: string[];
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      testId="confirm-dialog"
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="error" onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <FormErrors messages={errors} />
      <Text as="p">{text}</Text>
    </Dialog>
  );
}

/** The three vertical dots with their menu. */
export function MoreMenu({ label, items }: { label: string; items: { label: string; onSelect: () => void; danger?: boolean }[] }) {
  return (
    <Dropdown>
      <Dropdown.Trigger>
        <Button variant="tertiary" icon={<EllipsisVertical size={18} />} aria-label={label} title={label} />
      </Dropdown.Trigger>
      <Dropdown.Content align="end">
        <Box
          role="menu"
          backgroundColor="default1"
          borderRadius={4}
          boxShadow="defaultOverlay"
          padding={1}
          display="flex"
          flexDirection="column"
          __minWidth="160px"
        >
          {items.map((item) => (
            <Dropdown.Item key={item.label}>
              <Box
                as="button"
                type="button"
                role="menuitem"
                onClick={item.onSelect}
                borderWidth={0}
                backgroundColor={{ default: "default1", hover: "default1Hovered" }}
                paddingX={3}
                paddingY={2}
                borderRadius={3}
                cursor="pointer"
                textAlign="left"
              >
                <Text color={item.danger ? "critical1" : "default1"}>{item.label}</Text>
              </Box>
            </Dropdown.Item>
          ))}
        </Box>
      </Dropdown.Content>
    </Dropdown>
  );
}

type CopyResult = { ok: boolean; text: string } | null;

/** Select the whole text of `element`, so Ctrl+C / ⌘C copies it. */
function selectText(element: HTMLElement | null) {
  if (!element) return;
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(element);
  selection?.removeAllRanges();
  selection?.addRange(range);
}

/**
 * Copy `text` to the clipboard. The dashboard's iframe does not allow the Clipboard API (no
 * clipboard-write permission), so the selected text is copied the older way; when the browser
 * refuses both, the text stays selected and the caller says so.
 */
async function copyText(text: string, element: HTMLElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (permissions policy of the frame): try the selection below
  }
  selectText(element);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

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
      const keys = /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘C" : "Ctrl+C";
      setCopied({ ok, text: `The browser did not let this page copy. The secret is selected: press ${keys} to copy it.` });
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

export function SecretReveal({ secret, onClose, title }: { secret: string | null; onClose: () => void; title: string }) {
  return (
    <Dialog open={secret !== null} onClose={onClose} title={title}>
      {secret !== null ? <SecretPanel secret={secret} onDone={onClose} /> : null}
    </Dialog>
  );
}

/** Runs `fn` every `ms` while `active`. */
export function usePolling(active: boolean, ms: number, fn: () => void) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => saved.current(), ms);
    return () => window.clearInterval(id);
  }, [active, ms]);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
