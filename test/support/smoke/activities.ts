import got from 'got';
export async function greet(url: string): Promise<string> {
  return got(url, { timeout: { request: 2000 } }).text();
}
