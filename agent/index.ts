export type * from "./types";
export type * from "./resource-types";
export * from "./errors";
export * from "./info";
export type * from "./host";
export type * from "./probes";
