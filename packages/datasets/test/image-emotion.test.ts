import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  abstractOptions, artphotoOptions, emotion6Options, emotionroiOptions, fiOptions, loadAbstract, loadArtphoto, loadEmotion6, loadEmotionroi,
  loadFi, loadTwitter1, twitter1Options,
} from '@iern/datasets';
import type { Dataset } from '@iern/core';
import { pickleStrDict, tempRoot, writeImage, writeImages, writeText } from './helpers.js';

const t = tempRoot();
afterAll(() => t.cleanup());
const dir = (name: string) => path.join(t.root, name);
const count = (ds: Dataset) => Object.fromEntries([...new Set(ds.samples.map((s) => s.emotion))].sort().map((e) => [e, ds.samples.filter((s) => s.emotion === e).length]));

describe('fi', () => {
  it('Mikels class folders; empty files and repeated placeholder images counted; scene strata as confounder', async () => {
    const root = dir('fi');
    const ds0 = path.join(root, 'emotion_dataset');
    await writeImages([path.join(ds0, 'amusement', 'a1.jpg'), path.join(ds0, 'awe', 'w1.jpg')]);
    await writeImage(path.join(ds0, 'contentment', 'c1.jpg'), 30);
    // a "photo unavailable" placeholder served for deleted photos, byte-identical in several classes
    const placeholder = await writeImage(path.join(ds0, 'fear', 'p0.jpg'), 77, [6, 6]);
    const bytes = (await import('node:fs')).readFileSync(placeholder);
    for (const [cls, n] of [['fear', 1], ['sadness', 2], ['anger', 3]] as const) writeText(path.join(ds0, cls, `p${n}.jpg`), bytes);
    writeText(path.join(ds0, 'excitement', 'empty.jpg'), '');
    writeText(path.join(root, 'scenes.csv'), 'image,scene\namusement/a1.jpg,indoor\nw1.jpg,outdoor\n');
    const ds = loadFi(fiOptions.parse({ root, placeholderCopies: 4, strata: 'scenes.csv' }));
    expect(count(ds)).toEqual({ amusement: 1, awe: 1, contentment: 1 });
    expect(ds.skipped).toEqual({ placeholder: 4, 'empty file': 1 });
    expect(ds.samples.map((s) => s.confounder)).toEqual(['indoor', 'outdoor', undefined]);
    expect(ds.confounders).toEqual(['indoor', 'outdoor']);
    expect(ds.problems.join()).toMatch(/1 image\(s\) have no scene label/);
    writeText(path.join(ds0, 'boredom', 'x.jpg'), 'x');
    expect(() => loadFi(fiOptions.parse({ root }))).toThrow(/boredom.*unknown label/);
  });
});

describe('emotionroi', () => {
  it('split lists of class/filename; joy kept', () => {
    const root = dir('roi');
    writeText(path.join(root, 'training_testing_split', 'training.txt'), 'anger/1.jpg\njoy/2.jpg\n\n');
    writeText(path.join(root, 'training_testing_split', 'testing.txt'), 'sadness/3.jpg\r\n');
    const tr = loadEmotionroi(emotionroiOptions.parse({ root }));
    expect(tr.samples.map((s) => s.emotion)).toEqual(['anger', 'joy']);
    expect((tr.samples[1]!.image as { path: string }).path).toBe(path.join(root, 'images', 'joy', '2.jpg'));
    expect(loadEmotionroi(emotionroiOptions.parse({ root, split: 'test' })).samples.map((s) => s.emotion)).toEqual(['sadness']);
    writeText(path.join(root, 'training_testing_split', 'training.txt'), 'anger/1.jpg\nlove/2.jpg\n');
    expect(() => loadEmotionroi(emotionroiOptions.parse({ root }))).toThrow(/training\.txt:2: unknown label 'love'/);
  });
});

describe('emotion6', () => {
  it('argmax of the distribution (folder is not the label), ties counted', () => {
    const root = dir('e6');
    writeText(path.join(root, 'ground_truth.txt'), [
      '[image_filename]\t[valence]\t[arousal]\t[prob. anger]\t[prob. disgust]\t[prob. fear]\t[prob. joy]\t[prob. sadness]\t[prob. surprise]\t[prob. neutral]',
      'anger/1.jpg\t4.1\t5.2\t0.1\t0\t0\t0.7\t0.1\t0.1\t0',
      'fear/2.jpg\t3\t6\t0\t0\t0.4\t0\t0.4\t0.2\t0',
      'joy/3.jpg\t6\t4\t0\t0\t0\t0\t0\t0\t1',
    ].join('\n'));
    const ds = loadEmotion6(emotion6Options.parse({ root }));
    expect(ds.samples.map((s) => [s.id, s.emotion])).toEqual([['emotion6/anger/1.jpg', 'joy'], ['emotion6/joy/3.jpg', 'neutral']]);
    expect(ds.skipped).toEqual({ 'argmax tie': 1 });
    // binary sentiment, and the official scene pickle (`<folder>_<stem>` keys) as strata
    writeText(path.join(root, 'scene_labels.pkl'), pickleStrDict({ anger_1: 'indoor', joy_3: 'cemetery' }));
    const sent = loadEmotion6(emotion6Options.parse({ root, labels: 'sentiment', strata: 'scene_labels.pkl' }));
    expect(sent.classes).toEqual(['negative', 'positive']);
    expect(sent.samples.map((s) => [s.emotion, s.confounder])).toEqual([['positive', 'indoor']]);
    expect(sent.skipped).toEqual({ 'argmax tie': 1, 'neutral (no polarity)': 1 });
  });
});

describe('artphoto, abstract, twitter1', () => {
  it('artphoto: <class>_<n>.jpg with the sad spelling', async () => {
    const root = dir('art');
    await writeImages(['amusement_1.jpg', 'sad_12.jpg', 'content_3.jpg'].map((f) => path.join(root, f)));
    writeText(path.join(root, 'Thumbs.db'), 'x');
    const ds = loadArtphoto(artphotoOptions.parse({ root }));
    expect(count(ds)).toEqual({ amusement: 1, contentment: 1, sadness: 1 });
    expect(ds.skipped).toEqual({ 'other file': 1 });
    const sent = loadArtphoto(artphotoOptions.parse({ root, labels: 'sentiment' }));
    expect(sent.samples.map((s) => s.emotion)).toEqual(['positive', 'positive', 'negative']);
  });
  it('abstract: single-quoted csv, empty first header, argmax of votes, ties and no votes counted', () => {
    const root = dir('abstract');
    writeText(path.join(root, 'ABSTRACT_groundTruth.csv'), [
      "'','Amusement','Anger','Awe','Content','Disgust','Excitement','Fear','Sad'",
      "'abstract_1.jpg',0,1,2,7,0,1,0,3",
      "'abstract_2.jpg',3,0,0,0,0,3,0,0",
      "'abstract_3.jpg',0,0,0,0,0,0,0,5",
      "'abstract_4.jpg',0,0,0,0,0,0,0,0",
    ].join('\r\n'));
    const ds = loadAbstract(abstractOptions.parse({ root }));
    expect(ds.samples.map((s) => [s.id, s.emotion])).toEqual([['abstract/abstract_1.jpg', 'contentment'], ['abstract/abstract_3.jpg', 'sadness']]);
    expect(ds.skipped).toEqual({ 'argmax tie': 1, 'no votes': 1 });
  });
  it('twitter1: agreement subsets, 0 negative 1 positive', () => {
    const root = dir('tw');
    writeText(path.join(root, 'twitter_five_agrees.txt'), '1.jpg 1\n2.jpg 0\n');
    writeText(path.join(root, 'twitter_four_agrees.txt'), '1.jpg 1\n2.jpg 0\n3.jpg 1\n');
    expect(loadTwitter1(twitter1Options.parse({ root })).samples.map((s) => s.emotion)).toEqual(['positive', 'negative']);
    expect(loadTwitter1(twitter1Options.parse({ root, agree: 'four' })).samples).toHaveLength(3);
    expect(() => loadTwitter1(twitter1Options.parse({ root, agree: 'three' }))).toThrow(/twitter_three_agrees\.txt.*not found/);
    writeText(path.join(root, 'twitter_five_agrees.txt'), '1.jpg 1\n2.jpg 2\n');
    expect(() => loadTwitter1(twitter1Options.parse({ root }))).toThrow(/twitter_five_agrees\.txt:2/);
  });
});
