/**
 * Topic patterns of per-topic options (`history`, `presence`): an exact topic, a pattern where `*`
 * stands for any characters but `/` (`'/chat/*'` covers `/chat/lobby`, not `/chat/a/b`), or a
 * RegExp.
 */
export type TopicPattern = string | RegExp;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a pattern once into a test (throws a TypeError naming `option` for a bad one). */
export function topicMatcher(match: TopicPattern, option: string): (topic: string) => boolean {
  if (match instanceof RegExp) {
    // A global or sticky RegExp keeps state between tests; a copy without those flags does not.
    const pattern = new RegExp(match.source, match.flags.replace(/[gy]/g, ''));
    return (topic) => pattern.test(topic);
  }
  if (typeof match !== 'string' || match.length === 0) throw new TypeError(`firetower: option ${option} match must be a non-empty string or a RegExp`);
  if (!match.includes('*')) return (topic) => topic === match;
  const pattern = new RegExp(`^${match.split('*').map(escapeRegExp).join('[^/]*')}$`);
  return (topic) => pattern.test(topic);
}

/** Rules, the first match wins, compiled into one lookup. */
export function ruleLookup<Rule extends { match: TopicPattern }, Policy>(
  rules: readonly Rule[],
  option: string,
  toPolicy: (rule: Rule) => Policy,
): (topic: string) => Policy | undefined {
  const compiled = rules.map((rule) => ({ matches: topicMatcher(rule.match, option), policy: toPolicy(rule) }));
  return (topic) => {
    for (const rule of compiled) if (rule.matches(topic)) return rule.policy;
    return undefined;
  };
}
