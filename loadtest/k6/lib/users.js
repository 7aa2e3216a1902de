// The `perf k6 prepare` data file, read once per k6 process into a SharedArray (k6/data): VUs
// share one copy instead of each parsing the whole file (400 users × 400 VUs was ~256 MB).

/** @typedef {import('./envelope.js').E2eSessionState} E2eSessionState */
/** @typedef {{ index: number, identity: string, token: string, sends_to: number, sent_by: number[], sessions: E2eSessionState[] }} DataUser */

/**
 * The users of a data file, each with `sent_by`: who sends to it (a receiver's loss accounting needs its senders).
 * @param {string} text the file's contents
 * @returns {DataUser[]}
 */
export function usersOf(text) {
  /** @type {{ format?: string, users?: DataUser[] }} */
  const data = JSON.parse(text);
  if (data.format !== 'perf-k6-data/1' || !Array.isArray(data.users) || data.users.length < 2) {
    throw new Error('DATA is not a perf k6 prepare file (format perf-k6-data/1 with at least 2 users)');
  }
  const users = data.users;
  for (const user of users) user.sent_by = [];
  for (const user of users) {
    const recipient = users[user.sends_to];
    if (!recipient) throw new Error(`DATA: user ${user.index} sends to user ${user.sends_to}, which the file does not hold`);
    recipient.sent_by.push(user.index);
  }
  return users;
}
