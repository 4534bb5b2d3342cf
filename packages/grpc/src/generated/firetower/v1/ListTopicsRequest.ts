// Original file: proto/firetower.proto


export interface ListTopicsRequest {
  /**
   * At most this many topics per page: 1..1000, 0 means 100.
   */
  'pageSize'?: (number);
  /**
   * next_page_token of the previous page; empty for the first page.
   */
  'pageToken'?: (string);
  /**
   * Only topics starting with this prefix.
   */
  'prefix'?: (string);
}

export interface ListTopicsRequest__Output {
  /**
   * At most this many topics per page: 1..1000, 0 means 100.
   */
  'pageSize': (number);
  /**
   * next_page_token of the previous page; empty for the first page.
   */
  'pageToken': (string);
  /**
   * Only topics starting with this prefix.
   */
  'prefix': (string);
}
