// The helpers are all inline in the header; SwiftPM needs one source file for a C target.
void cgreenlight_epoll_shim(void) {}
