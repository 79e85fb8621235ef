// Thin native layer for the prefork child: readiness polling on inherited fds, a single
// non-blocking accept, and an flock-based accept mutex taken off the event-loop thread.
// All decisions (what to poll, when to accept, what to do on EAGAIN) are made in TypeScript.
#include <napi.h>
#include <uv.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

class Poller;

struct PollSlot {
  uv_poll_t handle;
  Poller* owner;
  int fd;
};

// Watches a set of fds for readability and calls back into JS with the fd that became
// readable. It never accepts or reads: the JS side decides.
class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Poller",
                       {InstanceMethod("start", &Poller::Start),
                        InstanceMethod("stop", &Poller::Stop),
                        InstanceMethod("close", &Poller::Close)});
  }

  Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsArray() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "Usage: new Poller(fds: number[], onReadable: (fd) => void)")
          .ThrowAsJavaScriptException();
      return;
    }
    Napi::Array fds = info[0].As<Napi::Array>();
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    for (uint32_t i = 0; i < fds.Length(); i++) {
      Napi::Value v = fds.Get(i);
      if (!v.IsNumber()) {
        Napi::TypeError::New(env, "Poller: fds must be numbers").ThrowAsJavaScriptException();
        return;
      }
      int fd = v.As<Napi::Number>().Int32Value();
      auto* slot = new PollSlot();
      slot->owner = this;
      slot->fd = fd;
      int rc = uv_poll_init(loop, &slot->handle, fd);
      if (rc != 0) {
        delete slot;
        Napi::Error::New(env, std::string("Poller: uv_poll_init failed on fd ") +
                                  std::to_string(fd) + ": " + uv_strerror(rc))
            .ThrowAsJavaScriptException();
        return;
      }
      slot->handle.data = slot;
      slots_.push_back(slot);
    }
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "prefork:acceptor");
  }

  ~Poller() override { CloseSlots(); }

 private:
  static void OnPoll(uv_poll_t* handle, int status, int events) {
    auto* slot = static_cast<PollSlot*>(handle->data);
    Poller* self = slot->owner;
    if (self == nullptr || self->closed_) return;
    Napi::Env env = self->callback_.Env();
    Napi::HandleScope scope(env);
    int code = status < 0 ? status : ((events & UV_READABLE) ? 0 : -1);
    self->callback_.MakeCallback(env.Global(),
                                 {Napi::Number::New(env, slot->fd), Napi::Number::New(env, code)},
                                 *self->context_);
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    if (closed_) return info.Env().Undefined();
    for (auto* slot : slots_) uv_poll_start(&slot->handle, UV_READABLE, OnPoll);
    return info.Env().Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (closed_) return info.Env().Undefined();
    for (auto* slot : slots_) uv_poll_stop(&slot->handle);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseSlots();
    return info.Env().Undefined();
  }

  void CloseSlots() {
    if (closed_) return;
    closed_ = true;
    for (auto* slot : slots_) {
      uv_poll_stop(&slot->handle);
      slot->owner = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(&slot->handle),
               [](uv_handle_t* h) { delete static_cast<PollSlot*>(h->data); });
    }
    slots_.clear();
  }

  std::vector<PollSlot*> slots_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  bool closed_ = false;
};

int FdArg(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
    return -1;
  }
  return info[0].As<Napi::Number>().Int32Value();
}

// accept4 once, non-blocking; returns the new fd or -errno (EAGAIN when another child won).
Napi::Value Accept(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, "Usage: accept(listenFd: number): number");
  if (fd < 0) return info.Env().Undefined();
  int c;
  do {
    c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  } while (c < 0 && errno == EINTR);
  return Napi::Number::New(info.Env(), c < 0 ? -errno : c);
}

// Reads one byte from a non-blocking pipe: 1 = a byte was read, 0 = EOF, -errno otherwise.
Napi::Value ReadByte(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, "Usage: readByte(fd: number): number");
  if (fd < 0) return info.Env().Undefined();
  char b;
  ssize_t n;
  do {
    n = read(fd, &b, 1);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(info.Env(), n < 0 ? -errno : static_cast<int>(n));
}

// O_NONBLOCK on an inherited fd: accept and pod reads must never block the event loop.
Napi::Value SetNonBlocking(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, "Usage: setNonBlocking(fd: number): number");
  if (fd < 0) return info.Env().Undefined();
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return Napi::Number::New(info.Env(), -errno);
  return Napi::Number::New(info.Env(), 0);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, "Usage: closeFd(fd: number): number");
  if (fd < 0) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), close(fd) < 0 ? -errno : 0);
}

// Blocking flock runs on the libuv thread pool so the child's loop still sees signals and the pod.
class LockWorker : public Napi::AsyncWorker {
 public:
  LockWorker(Napi::Function cb, int fd) : Napi::AsyncWorker(cb), fd_(fd) {}
  void Execute() override {
    int rc;
    do {
      rc = flock(fd_, LOCK_EX);
    } while (rc < 0 && errno == EINTR);
    result_ = rc < 0 ? -errno : 0;
  }
  void OnOK() override { Callback().Call({Napi::Number::New(Env(), result_)}); }

 private:
  int fd_;
  int result_ = 0;
};

Napi::Value LockFile(const Napi::CallbackInfo& info) {
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    Napi::TypeError::New(info.Env(), "Usage: lockFile(fd: number, done: (rc) => void)")
        .ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  auto* w = new LockWorker(info[1].As<Napi::Function>(), info[0].As<Napi::Number>().Int32Value());
  w->Queue();
  return info.Env().Undefined();
}

Napi::Value UnlockFile(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, "Usage: unlockFile(fd: number): number");
  if (fd < 0) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), flock(fd, LOCK_UN) < 0 ? -errno : 0);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Poller", Poller::Init(env));
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("readByte", Napi::Function::New(env, ReadByte));
  exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
  exports.Set("unlockFile", Napi::Function::New(env, UnlockFile));
  return exports;
}

}  // namespace

NODE_API_MODULE(acceptor, Init)
