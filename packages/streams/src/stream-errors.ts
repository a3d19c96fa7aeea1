import { EscError, ExitCode } from '@esc/core';

/** A topic name that breaks Kafka's rules. */
export class InvalidTopicError extends EscError {
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`${reason}: '${topic}'`, {}, ExitCode.Error);
  }
}

export class UnknownTopicError extends EscError {
  constructor(readonly topic: string) {
    super(`topic '${topic}' does not exist`, {}, ExitCode.Error);
  }
}

export class TopicExistsError extends EscError {
  constructor(readonly topic: string) {
    super(`topic '${topic}' already exists`, {}, ExitCode.Error);
  }
}

export class UnknownPartitionError extends EscError {
  constructor(topic: string, partition: number, partitions: number) {
    super(`topic '${topic}' has no partition ${partition} (it has ${partitions})`, {}, ExitCode.Error);
  }
}

/** Settings that are not valid (from the CLI's flags or the library's options). */
export class InvalidConfigError extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

/** A record larger than the topic's maxMessageBytes; nothing of the append was written. */
export class RecordTooLargeError extends EscError {
  constructor(
    readonly topic: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`record of ${size} bytes is larger than max.message.bytes ${limit} of topic '${topic}'`, {}, ExitCode.Error);
  }
}

/**
 * An offset outside the log, as Kafka's OffsetOutOfRangeException: below the log start offset (the message names
 * the earliest offset still available) or past the end.
 */
export class OffsetOutOfRangeError extends EscError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly requested: number,
    readonly earliest: number,
    readonly next: number,
  ) {
    super(
      requested < earliest
        ? `offset ${requested} of ${topic}/${partition} is out of range: the earliest available offset is ${earliest}`
        : `offset ${requested} of ${topic}/${partition} is out of range: the log ends at ${next}`,
      {},
      ExitCode.Error,
    );
  }
}

/** A batch a producer encoded (TopicStore.appendBatch) that is not a valid batch; nothing was written. */
export class InvalidBatchError extends EscError {
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`batch refused by topic '${topic}': ${reason}`, {}, ExitCode.Error);
  }
}
