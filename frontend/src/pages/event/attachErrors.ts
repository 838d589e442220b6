import { splitErrors, type FieldError, type FormErrorState } from "../../api";

/** The API's fields shown as this page's "channel" field (the attach and the edit mutations). */
const CHANNEL_FIELDS = ["channelId", "id"];

export const isChannelError = (error: FieldError) => error.field !== null && CHANNEL_FIELDS.includes(error.field);

/** Map the API's field names onto this page's forms' fields. */
export function attachErrors(errors: FieldError[]): FormErrorState {
  const split = splitErrors(errors);
  const byField: Record<string, string> = {};
  for (const [field, message] of Object.entries(split.byField)) {
    if (CHANNEL_FIELDS.includes(field)) byField.channel = message;
    else if (field === "sources" || field === "saleorChannels") byField[field] = message;
    else split.general.push(message);
  }
  return { byField, general: split.general };
}
