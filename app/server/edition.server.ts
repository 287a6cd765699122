// Which features each edition has. Routes, navigation and APIs consult this one table.
import { NotFoundError } from "./errors.server";
import { env } from "./env.server";
import { FEATURES, hasFeature, type Edition, type Feature } from "~/features";

export { FEATURES, type Edition, type Feature };

export function edition(): Edition {
  return env().EDITION;
}

/** Throws a 404 when the running edition lacks the feature: SaaS-only areas do not exist in Community. */
export function requireFeature(feature: Feature): void {
  if (!hasFeature(edition(), feature)) throw new NotFoundError();
}
