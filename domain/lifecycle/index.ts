/**
 * Order lifecycle: the stages a confirmed order goes through and its ETD (when the customer will
 * have signed for the goods). Pure: the clock is always passed in; all times are China time.
 */
export {
  STAGES,
  canAdvance,
  nextStage,
  parseStageWord,
  skippedStages,
  stagesCompleted,
  type Stage,
  type WorkStage,
} from './stages';
export {
  addWorkingTime,
  isWorkingMoment,
  nextWorkingMoment,
  subtractWorkingTime,
  workdayLength,
  workingTimeBetween,
  type Workday,
} from './working-time';
export {
  computeEtd,
  delayAlertDue,
  promisedInstant,
  quietHoursEnd,
  type Etd,
  type EtdArgs,
  type EtdReason,
  type EtdStep,
  type QuietHours,
  type StageDurations,
} from './etd';
