/** The AWS account id every local ARN, queue URL and event names: twelve zeros, as other local emulators use. */
export const LOCAL_ACCOUNT = '000000000000';
