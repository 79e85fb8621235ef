export { parseIpSubnet, ipSubnetTest, sameAddress, parseIPv4, parseIPv6, IpSubnetError } from './subnet.js';
export type { IpSubnet, SubnetProblem } from './subnet.js';
