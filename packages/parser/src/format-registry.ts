import type { FormatDefinition } from './format-types.js';

// Fields that never hold whitespace get `\S+?` instead of logparser's `.*?`: same result on every Loghub line
// (the ground-truth test checks), but the regex cannot backtrack quadratically on a hostile line.
const WORD = '\\S+?';

/**
 * The built-in formats: `hdfs` (the original tool's fields) and one for each Loghub system in the test data,
 * written as Loghub format strings (from logpai/logparser's benchmark settings). Field names are lower-case;
 * where Loghub's column name misleads, the field is named for what it holds (Linux's `Level` column is the
 * host name, so here it is `host`); the ground-truth test maps the CSV columns to these fields in order.
 * The order is also the order auto-detection tries them (more specific first).
 */
export const BUILTIN_FORMATS: readonly FormatDefinition[] = [
  {
    name: 'hdfs',
    description: 'Hadoop HDFS: 081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 …',
    format: '<date> <time> <pid> <level> <component>: <content>',
    fieldPatterns: { date: '\\d{6}', time: '\\d{6}', pid: '\\d+', level: '[A-Z]+', component: WORD },
    timestamp: { fields: ['date', 'time'], layout: 'yyMMdd HHmmss' },
  },
  {
    name: 'hadoop',
    description: 'Hadoop MapReduce: 2015-10-18 18:01:47,978 INFO [main] org.apache…: …',
    format: '<date> <time> <level> \\[<process>\\] <component>: <content>',
    fieldPatterns: { date: WORD, time: WORD, level: WORD },
    timestamp: { fields: ['date', 'time'], layout: 'yyyy-MM-dd HH:mm:ss,S' },
  },
  {
    name: 'spark',
    description: 'Spark: 17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: …',
    format: '<date> <time> <level> <component>: <content>',
    fieldPatterns: { date: WORD, time: WORD, level: WORD },
    timestamp: { fields: ['date', 'time'], layout: 'yy/MM/dd HH:mm:ss' },
  },
  {
    name: 'zookeeper',
    description: 'ZooKeeper: 2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:…@774] - …',
    format: '<date> <time> - <level>  \\[<node>:<component>@<id>\\] - <content>',
    fieldPatterns: { date: WORD, time: WORD, level: WORD },
    timestamp: { fields: ['date', 'time'], layout: 'yyyy-MM-dd HH:mm:ss,S' },
  },
  {
    name: 'bgl',
    description: 'Blue Gene/L: - 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 …',
    format: '<label> <unixTime> <date> <node> <time> <nodeRepeat> <type> <component> <level> <content>',
    fieldPatterns: { label: WORD, unixTime: WORD, date: WORD, node: WORD, time: WORD },
    timestamp: { fields: ['time'], layout: 'yyyy-MM-dd-HH.mm.ss.S' },
  },
  {
    name: 'hpc',
    description: 'HPC cluster: 134681 node-246 unix.hw state_change.unavailable 1077804742 1 …',
    format: '<logId> <node> <component> <state> <time> <flag> <content>',
    fieldPatterns: { logId: WORD, node: WORD },
    timestamp: { fields: ['time'], layout: 'epoch' },
  },
  {
    name: 'openstack',
    description: 'OpenStack: nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova… [req-…] …',
    format: '<logrecord> <date> <time> <pid> <level> <component> \\[<addr>\\] <content>',
    fieldPatterns: { logrecord: WORD, date: WORD, time: WORD, pid: WORD, level: WORD },
    timestamp: { fields: ['date', 'time'], layout: 'yyyy-MM-dd HH:mm:ss.S' },
  },
  {
    name: 'openssh',
    description: 'OpenSSH (syslog, no year): Dec 10 06:55:46 LabSZ sshd[24200]: …',
    format: '<month> <day> <time> <host> sshd\\[<pid>\\]: <content>',
    fieldPatterns: { month: WORD, day: WORD, time: WORD },
    timestamp: { fields: ['month', 'day', 'time'], layout: 'MMM d HH:mm:ss' },
  },
  {
    name: 'linux',
    description: 'Linux syslog (no year): Jun 14 15:16:01 combo sshd(pam_unix)[19939]: …',
    format: '<month> <day> <time> <host> <component>(\\[<pid>\\])?: <content>',
    fieldPatterns: { month: WORD, day: WORD, time: WORD },
    timestamp: { fields: ['month', 'day', 'time'], layout: 'MMM d HH:mm:ss' },
  },
  {
    name: 'apache',
    description: 'Apache error log: [Sun Dec 04 04:47:44 2005] [notice] …',
    format: '\\[<time>\\] \\[<level>\\] <content>',
    timestamp: { fields: ['time'], layout: 'EEE MMM dd HH:mm:ss yyyy' },
  },
  {
    name: 'proxifier',
    description: 'Proxifier (no year): [10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through …',
    format: '\\[<time>\\] <program> - <content>',
    timestamp: { fields: ['time'], layout: 'MM.dd HH:mm:ss' },
  },
  {
    name: 'jsonl',
    description: 'JSON lines: one object a line; timestamp, level and message found by their usual names',
    json: true,
  },
];

export const BUILTIN_FORMAT_NAMES: readonly string[] = BUILTIN_FORMATS.map((f) => f.name);

/** The built-in definition called `name` (case-insensitive; `json` and `ndjson` are `jsonl`). */
export function findBuiltinFormat(name: string): FormatDefinition | undefined {
  const key = name.toLowerCase();
  const wanted = key === 'json' || key === 'ndjson' ? 'jsonl' : key;
  return BUILTIN_FORMATS.find((f) => f.name === wanted);
}
