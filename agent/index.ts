export type * from "./types";
export * from "./errors";
