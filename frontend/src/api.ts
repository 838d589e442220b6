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

const CHANNEL_FIELDS = `id name kind isActive url emails secretLastChars createdAt updatedAt`;
export type Channel = {
  id: string;
  name: string;
  kind: "POSTBACK" | "EMAIL" | "SLACK";
  isActive: boolean;
  url: string | null;
  emails: string[];
  secretLastChars: string;
  createdAt: string;
  updatedAt: string;
};
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
    gql<{ notificationChannel: (Channel & { events: { id: string; event: string; sources: string[] }[] }) | null }>(
      `query($id: ID!) { notificationChannel(id: $id) { ${CHANNEL_FIELDS} events { id event sources } } }`,
      { id },
    ).then((d) => d.notificationChannel),
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
  retryDelivery: (id: string) =>
    gql<{ notificationDeliveryRetry: { delivery: Delivery | null; errors: FieldError[] } }>(
      `mutation($id: ID!) { notificationDeliveryRetry(id: $id) { delivery { ${DELIVERY_FIELDS} } ${ERRORS} } }`,
      { id },
    ).then((d) => d.notificationDeliveryRetry),
  retryOrder: (orderId: string) =>
    gql<{ notificationOrderRetry: { deliveries: Delivery[] | null; errors: FieldError[] } }>(
      `mutation($orderId: ID!) { notificationOrderRetry(orderId: $orderId) { deliveries { id } ${ERRORS} } }`,
      { orderId },
    ).then((d) => d.notificationOrderRetry),
};
