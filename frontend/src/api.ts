import { config } from "./config";

/** One error of a mutation's `errors` list (NotificationError). */
export type FieldError = { field: string | null; code: string; message: string };

/** A request the API refused as a whole: no permission, a bad token, a server error. */
export class ApiError extends Error {
  constructor(
    message: string,
    public code: string,
    public status: number,
  ) {
    super(message);
  }
  get isPermissionDenied() {
    return this.code === "PERMISSION_DENIED";
  }
}

/** Where requests get the dashboard's current token for this app (see bridge.tsx). */
let tokenSource: () => string | undefined = () => undefined;
export const setTokenSource = (source: () => string | undefined) => {
  tokenSource = source;
};

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const currentToken = tokenSource();
  let response: Response;
  try {
    response = await fetch(config.apiUrl, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(currentToken ? { Authorization: `Bearer ${currentToken}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The notifications API cannot be reached. Check your connection and try again.", "NETWORK", 0);
  }
  let body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } = {};
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The notifications API answered ${response.status} without JSON.`, "INTERNAL_ERROR", response.status);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    const code = first.extensions?.code ?? "ERROR";
    const message =
      code === "INVALID_TOKEN"
        ? "Your session with the dashboard expired or its token was refused. Reload the page."
        : first.message;
    throw new ApiError(message, code, response.status);
  }
  if (!response.ok || body.data === undefined) {
    throw new ApiError(`The notifications API answered ${response.status}.`, "INTERNAL_ERROR", response.status);
  }
  return body.data;
}

/** A form's errors: those shown next to a field, and the others. */
export type FormErrorState = { byField: Record<string, string>; general: string[] };

/** What to show for a failed call (network trouble, a refused token, an API error). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A call that failed as a whole, as one error of a mutation's list (it belongs to no field). */
export function requestFailure(err: unknown): FieldError {
  return { field: null, code: err instanceof ApiError ? err.code : "ERROR", message: errorMessage(err) };
}

/** The messages of a mutation's errors, in order. */
export const errorMessages = (errors: FieldError[]): string[] => errors.map((e) => e.message);

/** Errors of a mutation, split into those of a field and the others. */
export function splitErrors(errors: FieldError[]): FormErrorState {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    if (error.field && !(error.field in byField)) byField[error.field] = error.message;
    else general.push(error.message);
  }
  return { byField, general };
}

const CHANNEL_FIELDS = `id name kind isActive url emails secretLastChars pauseOnAlert isPaused pausedAt createdAt updatedAt`;
export type Channel = {
  id: string;
  name: string;
  kind: "POSTBACK" | "EMAIL" | "SLACK";
  isActive: boolean;
  url: string | null;
  emails: string[];
  secretLastChars: string;
  pauseOnAlert: boolean;
  isPaused: boolean;
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
};
/** NotificationChannelHealth: computed by the API from the channel's attempts. */
export type ChannelHealth = {
  status: "UNKNOWN" | "HEALTHY" | "RECOVERING" | "FAILING" | "ALERTING";
  windowHours: number;
  attemptCount: number;
  successCount: number;
  successRate: number | null;
  medianLatencyMs: number | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  failingSince: string | null;
  isAlerting: boolean;
  heldDeliveries: number;
};
const HEALTH_FIELDS = `health { status windowHours attemptCount successCount successRate medianLatencyMs consecutiveFailures
  lastSuccessAt lastFailureAt failingSince isAlerting heldDeliveries }`;
/** A channel the banner names: failing for the alert period, or paused. */
export type AlertingChannel = { id: string; name: string; isPaused: boolean; health: Pick<ChannelHealth, "isAlerting" | "failingSince"> };
export type Attachment = {
  id: string;
  sources: ("ADMIN" | "SHOP" | "FUNNEL")[];
  /** Slugs of the stores it is limited to; empty: every store. */
  saleorChannels: string[];
  channel: Channel;
  createdAt: string;
};
/** A store of the shop: one of Saleor's channels. */
export type SaleorChannel = { slug: string; name: string };
export type NotificationEvent = {
  type: import("./events").EventType;
  name: string;
  isEnabled: boolean;
  postbackOnly: boolean;
  manualRetry: boolean;
  channels: Attachment[];
};
export type Attempt = {
  number: number;
  trigger: "AUTOMATIC" | "MANUAL";
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  verdict: string;
};
export type Header = { name: string; value: string };
/** An attempt with what it sent (secrets masked) and what came back: loaded when a delivery is opened. */
export type AttemptExchange = Attempt & {
  responseExcerpt: string | null;
  responseHeaders: Header[] | null;
  request: {
    method: string;
    url: string | null;
    headers: Header[] | null;
    body: string | null;
    bodySize: number;
    bodySha256: string;
    curl: string | null;
    curlNote: string | null;
  } | null;
};
export type Delivery = {
  id: string;
  status: "PENDING" | "SUCCESS" | "FAILED";
  failureKind: string | null;
  canRetry: boolean;
  channelName: string;
  channelKind: "POSTBACK" | "EMAIL" | "SLACK";
  channel: { id: string; isActive: boolean } | null;
  event: { id: string; type: import("./events").EventType; source: "ADMIN" | "SHOP" | "FUNNEL"; orderId: string | null; occurredAt: string };
  attempts: Attempt[];
  createdAt: string;
  updatedAt: string;
};

/** One delivery of a channel's recovery: what it was, when it failed, when it is sent again. */
export type RecoveryItem = {
  orderNumber: string | null;
  failedAt: string;
  sendAt: string;
  delivery: { id: string; failureKind: string | null; event: { type: import("./events").EventType; occurredAt: string } };
};
/** A channel's recovery (notificationChannelRecover): a dry run, or what was queued. */
export type Recovery = {
  dryRun: boolean;
  count: number;
  ratePerS: number;
  firstSendAt: string | null;
  lastSendAt: string | null;
  first: RecoveryItem[];
};

const EVENT_FIELDS = `type name isEnabled postbackOnly manualRetry channels { id sources saleorChannels createdAt channel { ${CHANNEL_FIELDS} } }`;
const DELIVERY_FIELDS = `id status failureKind canRetry channelName channelKind channel { id isActive }
  event { id type source orderId occurredAt }
  attempts { number trigger startedAt durationMs statusCode errorKind errorMessage verdict }
  createdAt updatedAt`;
const ERRORS = `errors { field code message }`;

export const api = {
  events: () => gql<{ notificationEvents: NotificationEvent[] }>(`{ notificationEvents { ${EVENT_FIELDS} } }`),
  setEnabled: (event: string, isEnabled: boolean) =>
    gql<{ notificationEventUpdate: { event: NotificationEvent | null; errors: FieldError[] } }>(
      `mutation($event: NotificationEventType!, $isEnabled: Boolean!) {
        notificationEventUpdate(event: $event, isEnabled: $isEnabled) { event { ${EVENT_FIELDS} } ${ERRORS} } }`,
      { event, isEnabled },
    ).then((d) => d.notificationEventUpdate),
  attach: (event: string, channelId: string, sources: string[], saleorChannels: string[] = []) =>
    gql<{ notificationEventChannelAttach: { eventChannel: { id: string } | null; errors: FieldError[] } }>(
      `mutation($event: NotificationEventType!, $channelId: ID!, $sources: [NotificationSource!]!, $saleorChannels: [String!]) {
        notificationEventChannelAttach(event: $event, channelId: $channelId, sources: $sources, saleorChannels: $saleorChannels) {
          eventChannel { id } ${ERRORS} } }`,
      { event, channelId, sources, saleorChannels },
    ).then((d) => d.notificationEventChannelAttach),
  updateAttachment: (id: string, sources: string[], saleorChannels: string[]) =>
    gql<{ notificationEventChannelUpdate: { eventChannel: { id: string } | null; errors: FieldError[] } }>(
      `mutation($id: ID!, $sources: [NotificationSource!]!, $saleorChannels: [String!]) {
        notificationEventChannelUpdate(id: $id, sources: $sources, saleorChannels: $saleorChannels) { eventChannel { id } ${ERRORS} } }`,
      { id, sources, saleorChannels },
    ).then((d) => d.notificationEventChannelUpdate),
  saleorChannels: () =>
    gql<{ notificationSaleorChannels: SaleorChannel[] }>(`{ notificationSaleorChannels { slug name } }`).then(
      (d) => d.notificationSaleorChannels,
    ),
  detach: (id: string) =>
    gql<{ notificationEventChannelDetach: { deletedId: string | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationEventChannelDetach(id: $id) { deletedId ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationEventChannelDetach),
  channels: () =>
    gql<{ notificationChannels: { edges: { node: Channel & { events: { id: string; event: string }[] } }[] } }>(
      `{ notificationChannels(first: 100) { edges { node { ${CHANNEL_FIELDS} events { id event } } } } }`,
    ).then((d) => d.notificationChannels.edges.map((e) => e.node)),
  channel: (id: string) =>
    gql<{
      notificationChannel: (Channel & { events: { id: string; event: string; sources: string[] }[]; health: ChannelHealth }) | null;
    }>(
      `query($id: ID!) { notificationChannel(id: $id) { ${CHANNEL_FIELDS} events { id event sources } ${HEALTH_FIELDS} } }`,
      { id },
    ).then((d) => d.notificationChannel),
  /** The channels failing for the alert period, or paused (for the banner). */
  alertingChannels: () =>
    gql<{ notificationChannels: { edges: { node: AlertingChannel }[] } }>(
      `{ notificationChannels(first: 100) { edges { node { id name isPaused health { isAlerting failingSince } } } } }`,
    ).then((d) => d.notificationChannels.edges.map((e) => e.node).filter((c) => c.isPaused || c.health.isAlerting)),
  resumeChannel: (id: string) =>
    gql<{ notificationChannelResume: { channel: Channel | null; released: number | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationChannelResume(id: $id) { channel { ${CHANNEL_FIELDS} } released ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationChannelResume),
  createChannel: (input: Record<string, unknown>) =>
    gql<{ notificationChannelCreate: { channel: Channel | null; secret: string | null; errors: FieldError[] } }>(
      `mutation($input: NotificationChannelCreateInput!) {
        notificationChannelCreate(input: $input) { channel { ${CHANNEL_FIELDS} } secret ${ERRORS} } }`,
      { input },
    ).then((d) => d.notificationChannelCreate),
  updateChannel: (id: string, input: Record<string, unknown>) =>
    gql<{ notificationChannelUpdate: { channel: Channel | null; errors: FieldError[] } }>(
      `mutation($id: ID!, $input: NotificationChannelUpdateInput!) {
        notificationChannelUpdate(id: $id, input: $input) { channel { ${CHANNEL_FIELDS} } ${ERRORS} } }`,
      { id, input },
    ).then((d) => d.notificationChannelUpdate),
  deleteChannel: (id: string) =>
    gql<{ notificationChannelDelete: { deletedId: string | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationChannelDelete(id: $id) { deletedId ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationChannelDelete),
  rotateSecret: (id: string) =>
    gql<{ notificationChannelRotateSecret: { channel: Channel | null; secret: string | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationChannelRotateSecret(id: $id) { channel { ${CHANNEL_FIELDS} } secret ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationChannelRotateSecret),
  testChannel: (id: string) =>
    gql<{
      notificationChannelTest: {
        result: { success: boolean; statusCode: number | null; errorKind: string | null; errorMessage: string | null; durationMs: number } | null;
        errors: FieldError[];
      };
    }>(
      `mutation($id: ID!) { notificationChannelTest(id: $id) {
        result { success statusCode errorKind errorMessage durationMs } ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationChannelTest),
  deliveries: (filter: Record<string, unknown>, first = 20) =>
    gql<{ notificationDeliveries: { edges: { node: Delivery }[] } }>(
      `query($filter: NotificationDeliveryFilterInput, $first: Int) {
        notificationDeliveries(filter: $filter, first: $first) { edges { node { ${DELIVERY_FIELDS} } } } }`,
      { filter, first },
    ).then((d) => d.notificationDeliveries.edges.map((e) => e.node)),
  deliveryExchange: (id: string) =>
    gql<{ notificationDelivery: { id: string; attempts: AttemptExchange[] } | null }>(
      `query($id: ID!) { notificationDelivery(id: $id) { id attempts {
        number trigger startedAt durationMs statusCode errorKind errorMessage verdict responseExcerpt
        responseHeaders { name value }
        request { method url headers { name value } body bodySize bodySha256 curl curlNote } } } }`,
      { id },
    ).then((d) => d.notificationDelivery),
  retryDelivery: (id: string) =>
    gql<{ notificationDeliveryRetry: { delivery: Delivery | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationDeliveryRetry(id: $id) { delivery { ${DELIVERY_FIELDS} } ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationDeliveryRetry),
  recoverChannel: (id: string, since: string, dryRun: boolean) =>
    gql<{ notificationChannelRecover: { recovery: Recovery | null; errors: FieldError[] } }>(
      `mutation($id: ID!, $since: DateTime!, $dryRun: Boolean) {
        notificationChannelRecover(id: $id, since: $since, dryRun: $dryRun) {
          recovery { dryRun count ratePerS firstSendAt lastSendAt
            first { orderNumber failedAt sendAt delivery { id failureKind event { type occurredAt } } } }
          ${ERRORS} } }`,
      { id, since, dryRun },
    ).then((d) => d.notificationChannelRecover),
  retryOrder: (orderId: string) =>
    gql<{ notificationOrderRetry: { deliveries: Delivery[] | null; errors: FieldError[] } }>(
      `mutation($orderId: ID!) { notificationOrderRetry(orderId: $orderId) { deliveries { id } ${ERRORS} } }`,
      { orderId },
    ).then((d) => d.notificationOrderRetry),
};
