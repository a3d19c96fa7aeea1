import { EscError, ExitCode } from '@esc/core';

/** An entry in a topic's stream that esc did not write (its ID is not `0-N`): someone else XADDed to the key. */
export class ForeignEntryError extends EscError {
  constructor(id: string) {
    super(
      `stream entry ${id} was not written by esc (esc's IDs are 0-N): another client added to a topic's stream`,
      {},
      ExitCode.Error,
    );
  }
}

/**
 * `--wait-replicas N` not met: WAIT answered fewer replicas within the timeout. The records are on the master
 * (Redis does not take a write back), but a failover now may lose them: as Kafka's NotEnoughReplicas, the
 * produce is not acknowledged.
 */
export class ReplicasNotAcknowledgedError extends EscError {
  constructor(topic: string, shortfalls: readonly { partition: number; acknowledged: number }[], wanted: number) {
    const which = shortfalls.map((s) => `${topic}/${s.partition}: ${s.acknowledged}`).join(', ');
    super(`fewer than ${wanted} replica(s) acknowledged the write in time (${which})`, {}, ExitCode.Error);
  }
}
