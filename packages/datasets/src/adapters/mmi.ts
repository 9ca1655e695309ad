import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BASIC6, DataError, type Dataset, type RegistryEntry } from '@iern/core';
import { DatasetBuilder, fileSample, findCaseInsensitive, holdoutOptions, isImageFile, listDir, requireDir, rootOption, subDirs } from './common.js';

/** MMI emotion codes (1-6); larger codes exist but are unused. */
export const MMI_CODES: Record<number, string> = { 1: 'anger', 2: 'disgust', 3: 'fear', 4: 'happiness', 5: 'sadness', 6: 'surprise' };

export const mmiOptions = z.strictObject({
  root: rootOption,
  ...holdoutOptions,
  /** Session folders (each with an `.avi` and an `.xml`), relative to root. */
  sessions: z.string().default('Sessions'),
  /** Extracted frames `<session>_<frame>.png`, relative to root (frames inside session folders are found too). */
  frames: z.string().default('frames'),
  /** Middle frames taken per clip. */
  framesPerClip: z.number().int().positive().default(3),
  /** Subjects removed (the protocol removes S021). */
  excludeSubjects: z.array(z.string()).default(['S021']),
});
export type MmiOptions = z.infer<typeof mmiOptions>;

/**
 * MMI: per-session folder with an `.xml` whose element `Name="Emotion" Value="n"` (the
 * second child) labels the clip; frames extracted by the user as `<session>_<frame>.png` or
 * `<clip>_<frame>.png` (`S001-104.avi` -> `S001_104_043.png`). Takes the middle `framesPerClip`
 * frames (centre floor(n/2) and its neighbours) of each clip with emotion 1-6.
 */
export function loadMmi(o: MmiOptions): Dataset {
  const root = requireDir(path.resolve(o.root), 'MMI root');
  const sessDir = requireDir(findCaseInsensitive(root, o.sessions) ?? path.join(root, o.sessions), 'MMI Sessions folder');
  const framesDir = findCaseInsensitive(root, o.frames) ?? path.join(root, o.frames);
  const frameIndex = indexFrames(existsSync(framesDir) ? framesDir : undefined);
  const exclude = new Set(o.excludeSubjects.map((s) => s.toUpperCase()));
  const b = new DatasetBuilder('mmi', BASIC6);
  for (const session of subDirs(sessDir)) {
    const dir = path.join(sessDir, session);
    const files = listDir(dir);
    const xml = files.find((f) => f.toLowerCase().endsWith('.xml'));
    if (!xml) {
      b.skip('session without xml');
      continue;
    }
    const file = path.join(dir, xml);
    const { emotion, subject } = readSessionXml(file, files);
    if (subject && exclude.has(subject.toUpperCase())) {
      b.skip(`excluded subject ${subject.toUpperCase()} (clips)`);
      continue;
    }
    if (emotion === undefined) {
      b.skip('no emotion in xml (clips)');
      continue;
    }
    const name = MMI_CODES[emotion];
    if (!name) {
      if (emotion > 6) b.skip('emotion code > 6 (clips)');
      else throw new DataError(file, `unknown emotion code ${emotion} (expected 1-6, or > 6 unused)`);
      continue;
    }
    // frames are named after the session folder or after the clip (`S001-104.avi` -> `S001_104_<n>.png`)
    const stem = path.parse(xml).name;
    const keys = [...new Set([session, stem, stem.replace(/-/g, '_')])];
    const local = indexFrames(dir);
    const frames = keys.flatMap((k) => [...(frameIndex.get(k) ?? []), ...(local.get(k) ?? [])]).sort((a, c) => a.n - c.n);
    if (!frames.length) {
      b.skip('no extracted frames (clips)');
      continue;
    }
    // the middle frames as the official preprocessing takes them: centre floor(n/2), then its neighbours
    const k = Math.min(o.framesPerClip, frames.length);
    const start = Math.max(0, Math.min(frames.length - k, Math.floor(frames.length / 2) - Math.floor(k / 2)));
    for (const f of frames.slice(start, start + k)) b.add(fileSample(`mmi/${path.parse(f.path).name}`, f.path, name), subject ?? session);
  }
  b.holdout(o);
  return b.build();
}

/** Frames named `<session>_<frame>.<ext>` grouped by session. */
function indexFrames(dir: string | undefined): Map<string, { n: number; path: string }[]> {
  const out = new Map<string, { n: number; path: string }[]>();
  if (!dir) return out;
  for (const f of listDir(dir)) {
    if (!isImageFile(f)) continue;
    const m = /^(.+)_(\d+)$/.exec(path.parse(f).name);
    if (!m) continue;
    const list = out.get(m[1]!) ?? out.set(m[1]!, []).get(m[1]!)!;
    list.push({ n: Number(m[2]), path: path.join(dir, f) });
  }
  return out;
}

/** Emotion value (the element named Emotion, else the second child) and the subject id. */
function readSessionXml(file: string, siblings: string[]): { emotion?: number; subject?: string } {
  const text = readFileSync(file, 'utf8');
  const tags = [...text.replace(/<\?[\s\S]*?\?>/g, '').matchAll(/<([A-Za-z_][\w.-]*)([^>]*)>/g)];
  const attr = (a: string, k: string) => new RegExp(`${k}\\s*=\\s*"([^"]*)"`, 'i').exec(a)?.[1];
  const children = tags.slice(1);
  const emo = children.find((t) => attr(t[2]!, 'Name')?.toLowerCase() === 'emotion') ?? children[1];
  const v = emo ? attr(emo[2]!, 'Value') : undefined;
  if (v !== undefined && !/^\s*\d+\s*$/.test(v)) throw new DataError(file, `emotion value '${v}' is not an integer`);
  const subjTag = children.find((t) => attr(t[2]!, 'Name')?.toLowerCase() === 'subject');
  const subjVal = subjTag ? attr(subjTag[2]!, 'Value') : undefined;
  const fromName = [path.basename(file), ...siblings].map((n) => /S\d{3}/i.exec(n)?.[0]).find(Boolean);
  const subject = subjVal ? (/^\d+$/.test(subjVal) ? `S${subjVal.padStart(3, '0')}` : subjVal) : fromName;
  return { emotion: v === undefined ? undefined : Number(v), subject };
}

export const mmiEntry: RegistryEntry<Dataset, MmiOptions> = {
  type: 'mmi',
  package: '@iern/datasets',
  description: 'MMI raw: 3 middle frames of each clip (extracted frames), emotions 1-6, S021 removed',
  options: mmiOptions,
  build: (o) => loadMmi(o),
};
