// For page actions: an expected refusal from a domain verb (bad input, not allowed, gone, state
// conflict, throttled, past the plan's limit) becomes data the form shows next to its fields instead of an error page.
import { toAppError, type FieldErrors } from "../errors.server";

export interface FormFailure {
  ok: false;
  message: string;
  fields: FieldErrors;
  /** The error's code, e.g. `plan_limit` (402), which the form links to the plan page for. */
  code?: string;
}

const SHOWN_IN_FORM = new Set([400, 402, 403, 404, 409, 429]);

/** Returns the failure for the form, or rethrows anything unexpected for `page()` to map. */
export function formFailure(error: unknown): FormFailure {
  const known = toAppError(error);
  if (known && SHOWN_IN_FORM.has(known.status)) return { ok: false, message: known.message, fields: known.fields ?? {}, code: known.code };
  throw error;
}
