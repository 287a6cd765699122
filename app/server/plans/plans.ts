// The plan table lives in app/plans.ts (pure, shared with the browser like features.ts); domain
// code imports it from here.
export * from "~/plans";
