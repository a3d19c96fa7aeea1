/** Counters since the front-end started, shown by the server's INFO (section stats, `pls_*` fields). */
export interface PlsStats {
  /** Connections open now. */
  connectedClients: number;
  /** Bytes of delivery frames kept in memory for subscribers at the end of the log (bounded, 32 MiB). */
  recentFramesBytes: number;
  /** Times a subscriber lagging past the bound held its topic's producers (their sockets not read). */
  producerHolds: number;
  /** Holding subscribers not caught up within the hold limit, let go so producers go on. */
  subscribersLetGo: number;
  /** Connections accepted since start. */
  totalConnections: number;
  /** Records appended through PUB. */
  published: number;
  /** PUBs not appended (bad CRC, bad topic, too large, a store error), bad CRCs included. */
  publishRefused: number;
  /** PUBs whose CRC-32 did not match the payload. */
  crcErrors: number;
  /** Records written to subscribers' sockets. */
  delivered: number;
  /** Connections closed for a framing or command error. */
  protocolErrors: number;
  /** Connections closed for silence past the heartbeat limit. */
  heartbeatTimeouts: number;
}

/** The mutable counters the connections bump. */
export type PlsCounters = Omit<
  PlsStats,
  'connectedClients' | 'recentFramesBytes' | 'producerHolds' | 'subscribersLetGo'
>;

export function newCounters(): PlsCounters {
  return {
    totalConnections: 0,
    published: 0,
    publishRefused: 0,
    crcErrors: 0,
    delivered: 0,
    protocolErrors: 0,
    heartbeatTimeouts: 0,
  };
}
