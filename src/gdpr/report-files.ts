// Monthly report files as a holder of personal data (./registry.ts): a report lists its top sources, so the
// files of `report.output_dir` can name an address. Export lists the months whose JSON or HTML mentions it;
// erase deletes those months' files (HTML, PDF and JSON; `picket report --month` makes them again from the
// store, which no longer holds the address).

import fs from 'node:fs';
import path from 'node:path';
import { addressPattern, mentions } from '../store/erase.js';
import type { PersonalDataHolder, PersonalItem } from './registry.js';

const NAME = /^picket-report-(\d{4}-\d{2})\.(html|json|pdf)$/;

function monthsMentioning(dir: string, ip: string): Map<string, string[]> {
  const re = addressPattern(ip);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return new Map();
  }
  const byMonth = new Map<string, string[]>();
  for (const n of names) {
    const m = NAME.exec(n);
    if (m) byMonth.set(m[1], [...(byMonth.get(m[1]) ?? []), n]);
  }
  const hits = new Map<string, string[]>();
  for (const [month, files] of byMonth) {
    const texts = files.filter((n) => !n.endsWith('.pdf'));
    if (
      texts.some((n) => {
        try {
          return mentions(fs.readFileSync(path.join(dir, n), 'utf8'), re);
        } catch {
          return false;
        }
      })
    ) {
      hits.set(month, files.sort());
    }
  }
  return hits;
}

export function reportFilesHolder(dir: string): PersonalDataHolder {
  return {
    name: 'report files',
    async find(ip: string): Promise<PersonalItem[]> {
      return [...monthsMentioning(dir, ip)].map(([month, files]) => ({
        kind: 'report',
        where: dir,
        id: month,
        deleteBy: null,
        retention: 'monthly report files: kept until an operator deletes them',
        data: { files },
      }));
    },
    async erase(ip: string): Promise<Record<string, number>> {
      let n = 0;
      for (const files of monthsMentioning(dir, ip).values()) {
        for (const f of files) {
          fs.rmSync(path.join(dir, f), { force: true });
          n++;
        }
      }
      return { filesDeleted: n };
    },
  };
}
