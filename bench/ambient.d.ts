// Minimal typings for the two bench-only packages that ship none (no @types installed).

declare module 'autocannon' {
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
  }
  interface Stats {
    average: number;
    p99: number;
    total: number;
  }
  interface Result {
    requests: Stats;
    latency: Stats;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}

declare module 'express-session' {
  import type { RequestHandler } from 'express';
  export interface SessionData {
    [key: string]: unknown;
  }
  export class Store {}
  interface SessionOptions {
    secret: string;
    store?: Store;
    name?: string;
    resave?: boolean;
    saveUninitialized?: boolean;
    cookie?: { httpOnly?: boolean; secure?: boolean; sameSite?: 'lax' | 'strict'; maxAge?: number };
  }
  export default function session(options: SessionOptions): RequestHandler;
}
