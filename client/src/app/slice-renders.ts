// Imported first by main.ts, so that every element's render can go through the app's queue from the start.
import { sliceRenders } from './render-scheduler.js';

sliceRenders();
