export * from './clock';
export * from './ids';
export * from './logger';
export * from './httpClient';
export * from './stores';
export * from './taskQueue';
export * from './carrier';
export * from './urlPolicy';
