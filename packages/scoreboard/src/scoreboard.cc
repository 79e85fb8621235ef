// Thin native layer of @prefork/scoreboard: map, unmap and remove a shared
// segment, and report the C layout of the scoreboard structs. Everything with a
// meaning (names, sizes, stale segments, ownership, fields) lives in TypeScript.

#include <napi.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pf_scoreboard.h"

namespace {

// Segment kinds, mirrored by SegmentKind in native.d.ts.
constexpr int kKindShm = 0;   // POSIX shm_open name ("/name")
constexpr int kKindFile = 1;  // a regular file path

// Open modes, mirrored by OpenMode in native.d.ts.
constexpr int kCreateExclusive = 0;
constexpr int kAttach = 1;

const char* ErrnoName(int err) {
  switch (err) {
    case EEXIST: return "EEXIST";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case EROFS: return "EROFS";
    case EFBIG: return "EFBIG";
    default: return "EUNKNOWN";
  }
}

// Throws an Error whose `code` is the errno name and whose `syscall`/`path`
// say what failed, as Node's own fs errors do.
void ThrowErrno(Napi::Env env, const char* syscall, const std::string& path, int err) {
  std::string msg = std::string(ErrnoName(err)) + ": " + std::strerror(err) + ", " + syscall +
                    " '" + path + "'";
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.Set("path", Napi::String::New(env, path));
  e.ThrowAsJavaScriptException();
}

void ThrowUsage(Napi::Env env, const char* usage) {
  Napi::TypeError::New(env, std::string("Usage: ") + usage).ThrowAsJavaScriptException();
}

// A mapping wrapped onto the ArrayBuffer that exposes it: unmap() releases it
// early; otherwise the garbage collector releases it with the buffer.
struct Mapping {
  void* addr;
  size_t length;
  bool mapped;
};

void ReleaseMapping(Napi::Env, Mapping* m) {
  if (m->mapped) munmap(m->addr, m->length);
  delete m;
}

// map(kind, path, size, openMode, mode) -> ArrayBuffer
Napi::Value Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "map(kind: 0|1, path: string, size: number, openMode: 0|1, mode: number)";
  if (info.Length() != 5 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !info[4].IsNumber()) {
    ThrowUsage(env, usage);
    return env.Undefined();
  }
  int kind = info[0].As<Napi::Number>().Int32Value();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  double sizeArg = info[2].As<Napi::Number>().DoubleValue();
  int openMode = info[3].As<Napi::Number>().Int32Value();
  int mode = info[4].As<Napi::Number>().Int32Value();
  if ((kind != kKindShm && kind != kKindFile) || (openMode != kCreateExclusive && openMode != kAttach) ||
      !(sizeArg > 0) || sizeArg > 9007199254740991.0 || sizeArg != static_cast<double>(static_cast<size_t>(sizeArg)) ||
      mode < 0 || mode > 07777 || path.empty()) {
    ThrowUsage(env, usage);
    return env.Undefined();
  }
  size_t size = static_cast<size_t>(sizeArg);
  int flags = O_RDWR | O_CLOEXEC | (openMode == kCreateExclusive ? (O_CREAT | O_EXCL) : 0);

  int fd = kind == kKindShm ? shm_open(path.c_str(), flags, mode) : open(path.c_str(), flags, mode);
  if (fd < 0) {
    ThrowErrno(env, kind == kKindShm ? "shm_open" : "open", path, errno);
    return env.Undefined();
  }
  if (openMode == kCreateExclusive) {
    // The umask must not widen or narrow what the caller asked for.
    if (fchmod(fd, mode) != 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) {
      int err = errno;
      close(fd);
      if (kind == kKindShm) shm_unlink(path.c_str()); else unlink(path.c_str());
      ThrowErrno(env, "ftruncate", path, err);
      return env.Undefined();
    }
  } else {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      int err = errno;
      close(fd);
      ThrowErrno(env, "fstat", path, err);
      return env.Undefined();
    }
    // Mapping past the end of the object would fault on access: refuse instead.
    if (static_cast<size_t>(st.st_size) < size) {
      close(fd);
      ThrowErrno(env, "fstat", path, EFBIG);
      return env.Undefined();
    }
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int mapErr = errno;
  close(fd);
  if (addr == MAP_FAILED) {
    if (openMode == kCreateExclusive) {
      if (kind == kKindShm) shm_unlink(path.c_str()); else unlink(path.c_str());
    }
    ThrowErrno(env, "mmap", path, mapErr);
    return env.Undefined();
  }
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, addr, size);
  Mapping* m = new Mapping{addr, size, true};
  napi_status st = napi_wrap(env, buffer, m,
                             [](napi_env e, void* data, void*) {
                               ReleaseMapping(Napi::Env(e), static_cast<Mapping*>(data));
                             },
                             nullptr, nullptr);
  if (st != napi_ok) {
    munmap(addr, size);
    delete m;
    Napi::Error::New(env, "napi_wrap failed on the segment's ArrayBuffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return buffer;
}

// unmap(buffer): unmaps now and detaches the buffer so that later access sees
// a zero-length buffer instead of unmapped memory.
Napi::Value Unmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArrayBuffer()) {
    ThrowUsage(env, "unmap(buffer: ArrayBuffer)");
    return env.Undefined();
  }
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  void* data = nullptr;
  if (napi_unwrap(env, buffer, &data) != napi_ok || data == nullptr) {
    Napi::TypeError::New(env, "unmap: the buffer was not returned by map()").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Mapping* m = static_cast<Mapping*>(data);
  if (!m->mapped) return Napi::Boolean::New(env, false);
  buffer.Detach();
  munmap(m->addr, m->length);
  m->mapped = false;
  return Napi::Boolean::New(env, true);
}

// memfd(name, size, mode) -> fd: an anonymous shared-memory file (memfd_create,
// close-on-exec), sized and with the given permission bits. It has no name in any
// file system, so nothing is left behind when the last process holding it dies;
// the caller maps it through /proc/self/fd/<fd> and hands the fd to children.
Napi::Value Memfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "memfd(name: string, size: number, mode: number)";
  if (info.Length() != 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    ThrowUsage(env, usage);
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  double sizeArg = info[1].As<Napi::Number>().DoubleValue();
  int mode = info[2].As<Napi::Number>().Int32Value();
  if (name.empty() || name.size() > 249 || name.find('\0') != std::string::npos || !(sizeArg > 0) ||
      sizeArg > 9007199254740991.0 || sizeArg != static_cast<double>(static_cast<size_t>(sizeArg)) ||
      mode < 0 || mode > 07777) {
    ThrowUsage(env, usage);
    return env.Undefined();
  }
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) {
    ThrowErrno(env, "memfd_create", name, errno);
    return env.Undefined();
  }
  if (fchmod(fd, mode) != 0 || ftruncate(fd, static_cast<off_t>(static_cast<size_t>(sizeArg))) != 0) {
    int err = errno;
    close(fd);
    ThrowErrno(env, "ftruncate", name, err);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// remove(kind, path) -> true if it existed.
Napi::Value Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsString()) {
    ThrowUsage(env, "remove(kind: 0|1, path: string)");
    return env.Undefined();
  }
  int kind = info[0].As<Napi::Number>().Int32Value();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  if ((kind != kKindShm && kind != kKindFile) || path.empty()) {
    ThrowUsage(env, "remove(kind: 0|1, path: string)");
    return env.Undefined();
  }
  int rc = kind == kKindShm ? shm_unlink(path.c_str()) : unlink(path.c_str());
  if (rc != 0) {
    if (errno == ENOENT) return Napi::Boolean::New(env, false);
    ThrowErrno(env, kind == kKindShm ? "shm_unlink" : "unlink", path, errno);
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

#define PF_FIELD(obj, offs, sizes, type, member)                                       \
  do {                                                                                 \
    offs.Set(#member, Napi::Number::New(env, offsetof(type, member)));                 \
    sizes.Set(#member, Napi::Number::New(env, sizeof(static_cast<type*>(nullptr)->member))); \
  } while (0)

#define PF_TMS(offs, sizes, type)                                                      \
  do {                                                                                 \
    PF_FIELD(obj, offs, sizes, type, times.tms_utime);                                 \
    PF_FIELD(obj, offs, sizes, type, times.tms_stime);                                 \
    PF_FIELD(obj, offs, sizes, type, times.tms_cutime);                                \
    PF_FIELD(obj, offs, sizes, type, times.tms_cstime);                                \
  } while (0)

Napi::Object StructLayout(Napi::Env env, size_t size, Napi::Object offs, Napi::Object sizes) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("size", Napi::Number::New(env, size));
  o.Set("fields", offs);
  o.Set("fieldSizes", sizes);
  return o;
}

// layout() -> sizeof/offsetof of every member, as this compiler lays them out.
Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);

  {
    Napi::Object offs = Napi::Object::New(env), sizes = Napi::Object::New(env);
    PF_FIELD(obj, offs, sizes, pf_global_score, server_limit);
    PF_FIELD(obj, offs, sizes, pf_global_score, thread_limit);
    PF_FIELD(obj, offs, sizes, pf_global_score, running_generation);
    PF_FIELD(obj, offs, sizes, pf_global_score, restart_time);
    PF_FIELD(obj, offs, sizes, pf_global_score, times);
    PF_TMS(offs, sizes, pf_global_score);
    result.Set("global_score", StructLayout(env, sizeof(pf_global_score), offs, sizes));
  }
  {
    Napi::Object offs = Napi::Object::New(env), sizes = Napi::Object::New(env);
    PF_FIELD(obj, offs, sizes, pf_process_score, pid);
    PF_FIELD(obj, offs, sizes, pf_process_score, generation);
    PF_FIELD(obj, offs, sizes, pf_process_score, quiescing);
    PF_FIELD(obj, offs, sizes, pf_process_score, not_accepting);
    PF_FIELD(obj, offs, sizes, pf_process_score, connections);
    PF_FIELD(obj, offs, sizes, pf_process_score, write_completion);
    PF_FIELD(obj, offs, sizes, pf_process_score, lingering_close);
    PF_FIELD(obj, offs, sizes, pf_process_score, keep_alive);
    PF_FIELD(obj, offs, sizes, pf_process_score, suspended);
    PF_FIELD(obj, offs, sizes, pf_process_score, bucket);
    PF_FIELD(obj, offs, sizes, pf_process_score, wait_io);
    result.Set("process_score", StructLayout(env, sizeof(pf_process_score), offs, sizes));
  }
  {
    Napi::Object offs = Napi::Object::New(env), sizes = Napi::Object::New(env);
    PF_FIELD(obj, offs, sizes, pf_worker_score, tid);
    PF_FIELD(obj, offs, sizes, pf_worker_score, thread_num);
    PF_FIELD(obj, offs, sizes, pf_worker_score, pid);
    PF_FIELD(obj, offs, sizes, pf_worker_score, generation);
    PF_FIELD(obj, offs, sizes, pf_worker_score, status);
    PF_FIELD(obj, offs, sizes, pf_worker_score, conn_count);
    PF_FIELD(obj, offs, sizes, pf_worker_score, conn_bytes);
    PF_FIELD(obj, offs, sizes, pf_worker_score, access_count);
    PF_FIELD(obj, offs, sizes, pf_worker_score, bytes_served);
    PF_FIELD(obj, offs, sizes, pf_worker_score, my_access_count);
    PF_FIELD(obj, offs, sizes, pf_worker_score, my_bytes_served);
    PF_FIELD(obj, offs, sizes, pf_worker_score, start_time);
    PF_FIELD(obj, offs, sizes, pf_worker_score, stop_time);
    PF_FIELD(obj, offs, sizes, pf_worker_score, last_used);
    PF_FIELD(obj, offs, sizes, pf_worker_score, times);
    PF_TMS(offs, sizes, pf_worker_score);
    PF_FIELD(obj, offs, sizes, pf_worker_score, client);
    PF_FIELD(obj, offs, sizes, pf_worker_score, request);
    PF_FIELD(obj, offs, sizes, pf_worker_score, vhost);
    PF_FIELD(obj, offs, sizes, pf_worker_score, protocol);
    PF_FIELD(obj, offs, sizes, pf_worker_score, duration);
    PF_FIELD(obj, offs, sizes, pf_worker_score, client64);
    result.Set("worker_score", StructLayout(env, sizeof(pf_worker_score), offs, sizes));
  }
  result.Set("alignDefault", Napi::Number::New(env, PF_APR_ALIGN_DEFAULT_BOUNDARY));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("map", Napi::Function::New(env, Map, "map"));
  exports.Set("unmap", Napi::Function::New(env, Unmap, "unmap"));
  exports.Set("remove", Napi::Function::New(env, Remove, "remove"));
  exports.Set("layout", Napi::Function::New(env, Layout, "layout"));
  exports.Set("memfd", Napi::Function::New(env, Memfd, "memfd"));
  return exports;
}

}  // namespace

NODE_API_MODULE(scoreboard, Init)
