/** A small line of a framework's score over the last scans. */
import { Line, LineChart, Tooltip, YAxis } from "recharts";
import type { ScorePoint } from "../types";

export function ScoreTrend({ points, label }: { points: ScorePoint[]; label: string }) {
  const data = points
    .filter((p) => p.score !== null)
    .slice()
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-20)
    .map((p) => ({ at: new Date(p.at).toLocaleString(), score: Math.round((p.score ?? 0) * 100), account: p.account }));
  if (data.length < 2) return null;
  return (
    <div role="img" aria-label={`${label}: ${data.map((d) => `${d.score}%`).join(", ")}`}>
      <LineChart width={120} height={44} data={data}>
        <YAxis hide domain={[0, 100]} />
        <Tooltip
          formatter={(value) => [`${String(value)}%`, "score"]}
          labelFormatter={(_, payload) => {
            const item = payload?.[0]?.payload as { at: string; account: string } | undefined;
            return item ? `${item.at} · ${item.account}` : "";
          }}
        />
        <Line type="monotone" dataKey="score" stroke="#1f4e79" strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </div>
  );
}
