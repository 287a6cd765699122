export type * from "./types";
export * from "./errors";
export * from "./info";
