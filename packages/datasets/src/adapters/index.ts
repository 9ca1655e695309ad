import type { Dataset, RegistryEntry } from '@iern/core';
import { mixbasicEntry } from './mixbasic.js';
import { ckplusEntry } from './ckplus.js';
import { mmiEntry } from './mmi.js';
import { ouluEntry } from './oulu-casia.js';
import { fer2013Entry } from './fer2013.js';
import { ferplusEntry } from './ferplus.js';
import { rafdbEntry } from './rafdb.js';
import { affectnetEntry } from './affectnet.js';
import { expwEntry } from './expw.js';
import { sfewEntry } from './sfew.js';
import { jaffeEntry } from './jaffe.js';
import { kdefEntry } from './kdef.js';
import { fiEntry } from './fi.js';
import { emotionroiEntry } from './emotionroi.js';
import { emotion6Entry } from './emotion6.js';
import { artphotoEntry } from './artphoto.js';
import { abstractEntry } from './abstract.js';
import { twitter1Entry } from './twitter1.js';
import { folderEntry } from './folder.js';
import { manifestEntry } from './manifest.js';
import { mixEntry } from './mix.js';

export * from './common.js';
export * from './strata.js';
export * from './sentiment.js';
export * from './mixbasic.js';
export * from './ckplus.js';
export * from './mmi.js';
export * from './oulu-casia.js';
export * from './fer2013.js';
export * from './ferplus.js';
export * from './rafdb.js';
export * from './affectnet.js';
export * from './expw.js';
export * from './sfew.js';
export * from './jaffe.js';
export * from './kdef.js';
export * from './fi.js';
export * from './emotionroi.js';
export * from './emotion6.js';
export * from './artphoto.js';
export * from './abstract.js';
export * from './twitter1.js';
export * from './folder.js';
export * from './manifest.js';
export * from './mix.js';

/** Every real-format adapter, in the order `iern list` shows them. */
export const adapterEntries: RegistryEntry<Dataset>[] = [
  mixbasicEntry, ckplusEntry, mmiEntry, ouluEntry, fer2013Entry, ferplusEntry, rafdbEntry, affectnetEntry, expwEntry, sfewEntry,
  jaffeEntry, kdefEntry, fiEntry, emotionroiEntry, emotion6Entry, artphotoEntry, abstractEntry, twitter1Entry, folderEntry,
  manifestEntry, mixEntry,
] as RegistryEntry<Dataset>[];
