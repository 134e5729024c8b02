import { Implements } from "@weaver/core";

/** A six-field record: the object payload of the deployed-calls benchmark. */
export interface Row {
  id: number;
  name: string;
  email: string;
  age: number;
  active: boolean;
  score: number;
}

/** Echo returns what it is given: the smallest possible remote call. */
export interface Echo {
  /** Returns s. */
  echo(s: string): Promise<string>;
  /** Returns b. */
  echoBytes(b: Uint8Array): Promise<Uint8Array>;
  /** Returns row. */
  echoRow(row: Row): Promise<Row>;
  /** Returns s, like echo, but routed by s (EchoRouter): the routing benchmark compares the two. */
  echoRouted(s: string): Promise<string>;
}

/** Routes echoRouted by its argument; echo and echoBytes stay unrouted. */
export class EchoRouter {
  echoRouted(s: string): string {
    return s;
  }
}

export class EchoImpl extends Implements<Echo>() implements Echo {
  static readonly router = EchoRouter;

  async echo(s: string): Promise<string> {
    return s;
  }

  async echoBytes(b: Uint8Array): Promise<Uint8Array> {
    return b;
  }

  async echoRouted(s: string): Promise<string> {
    return s;
  }

  async echoRow(row: Row): Promise<Row> {
    return row;
  }
}
