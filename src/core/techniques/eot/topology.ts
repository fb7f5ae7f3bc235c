// Who hears whom in Exchange of Thoughts (Yin et al., 2023). Participants are numbered 0..n-1; the
// result lists, for each participant, the participants whose previous-round answers it receives.
//   memory  every participant receives every other participant's answer (fully connected).
//   report  participant 0 is the centre: it receives everyone's answer; the others receive only the centre's.
//   relay   a ring: participant i receives only from participant i-1 (0 from n-1).
//   debate  participant 0 is the parent: it receives every child's answer and sends nothing; the children
//           argue in pairs (1,2), (3,4): each receives its partner's answer. A child left without a partner
//           (n = 2 or n = 4) receives the parent's answer instead, so nobody argues alone.

export const TOPOLOGIES = ['memory', 'report', 'relay', 'debate'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export function senders(topology: Topology, n: number, i: number): number[] {
  const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
  switch (topology) {
    case 'memory':
      return others;
    case 'report':
      return i === 0 ? others : [0];
    case 'relay':
      return [(i - 1 + n) % n];
    case 'debate': {
      if (i === 0) return others;
      const partner = i % 2 === 1 ? i + 1 : i - 1;
      return partner < n && partner >= 1 ? [partner] : [0];
    }
  }
}
