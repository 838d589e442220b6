import { useRef, useState, type Dispatch, type SetStateAction } from "react";

import { requestFailure, type FieldError } from "./api";

/** What every mutation of the API answers: its errors, empty when it did what was asked. */
export type MutationResult = { errors: FieldError[] };

export type Mutation<A extends unknown[], R> = {
  /** Calls the mutation; resolves to its result when it succeeded, to null when it did not
   * (or when a call is still under way: a double click sends once). */
  run: (...args: A) => Promise<R | null>;
  /** True while a call is under way. */
  busy: boolean;
  /** The errors of the last call: the API's, or one for a call that failed as a whole. */
  errors: FieldError[];
  /** For errors found before calling (a missing choice) or by a related request. */
  setErrors: Dispatch<SetStateAction<FieldError[]>>;
};

/**
 * A mutation as the pages use it: `busy` while it runs, its errors kept for the form or row
 * that shows them (cleared when it runs again), a refused or failed request an error like the
 * others. What to do on success the caller decides with the result `run` resolves to.
 */
export function useMutation<A extends unknown[], R extends MutationResult>(
  mutate: (...args: A) => Promise<R>,
): Mutation<A, R> {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const inFlight = useRef(false);
  const run = async (...args: A): Promise<R | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    setBusy(true);
    setErrors([]);
    try {
      const result = await mutate(...args);
      if (!result.errors.length) return result;
      setErrors(result.errors);
    } catch (err) {
      setErrors([requestFailure(err)]);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
    return null;
  };
  return { run, busy, errors, setErrors };
}
