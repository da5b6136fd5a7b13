// Names shared by the floor workflow (sandbox) and the bench that starts and signals it.
import { defineSignal } from '@temporalio/workflow';

export const FLOOR_WORKFLOW_TYPE = 'floorWorkflow';
export const floorGoSignal = defineSignal('go');
