/**
 * The pages' UI kit: the dashboard's look (Macaw UI) for any screen. Nothing here knows the
 * notifications domain (events, channels, the API): that lives in ../components and ../pages.
 */
export { AlertBox } from "./AlertBox";
export { Card } from "./Card";
export { copyKeys, copyText, selectText } from "./clipboard";
export { ConfirmDialog } from "./ConfirmDialog";
export { Dialog } from "./Dialog";
export { ExternalLink } from "./ExternalLink";
export { FieldError } from "./FieldError";
export { formatTime } from "./formatTime";
export { FormErrors } from "./FormErrors";
export { Loading } from "./Loading";
export { Mark, type Tone } from "./Mark";
export { type MenuItem, MoreMenu } from "./MoreMenu";
export { PageHeader } from "./PageHeader";
export { SwitchControl } from "./SwitchControl";
export { TableHead } from "./TableHead";
export { usePolling } from "./usePolling";
