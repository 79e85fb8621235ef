// Thin native layer for the prefork child: readiness polling on inherited fds, a single
// non-blocking accept, an exclusive-wakeup acceptor, and an flock-based accept mutex taken off
// the event-loop thread. All decisions (what to poll, when to accept, what to do on EAGAIN)
// are made in TypeScript.
#include <napi.h>
#include <v8.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <fcntl.h>
#include <malloc.h>
#include <mutex>
#include <pthread.h>
#include <csignal>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <thread>
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

// Accepts one connection at a time, woken as a blocking accept() would be: one waiting child
// per incoming connection, not all of them. A thread of its own waits in epoll_wait on an epoll
// set that holds the listeners with EPOLLEXCLUSIVE, registered once, so the kernel offers a
// connection to the idle children in the order they registered: the oldest, warmest children
// get the work and the newest stay idle (a Node child is slow for its first few thousand
// requests). A child whose thread is not waiting (busy, or not armed) is passed over.
//
// arm(): wait for one connection; it is delivered to onAccepted(fd) on the loop thread, and the
// acceptor disarms itself. disarm(): stop waiting; returns a connection the thread accepted but
// had not yet delivered (a woken child must take the connection it was woken for, or it would
// wait in the backlog for the next arrival), else -1. close(): stop the thread and drop the
// epoll set (the listeners themselves are the caller's).
class ExclusiveAcceptor : public Napi::ObjectWrap<ExclusiveAcceptor> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "ExclusiveAcceptor",
                       {InstanceMethod("arm", &ExclusiveAcceptor::Arm),
                        InstanceMethod("disarm", &ExclusiveAcceptor::Disarm),
                        InstanceMethod("close", &ExclusiveAcceptor::Close)});
  }

  ExclusiveAcceptor(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ExclusiveAcceptor>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsArray() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "Usage: new ExclusiveAcceptor(listenFds: number[], onAccepted: (fd) => void)")
          .ThrowAsJavaScriptException();
      return;
    }
    epfd_ = epoll_create1(EPOLL_CLOEXEC);
    evfd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epfd_ < 0 || evfd_ < 0) {
      Fail(env, "epoll_create1/eventfd", errno);
      return;
    }
    Napi::Array fds = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < fds.Length(); i++) {
      Napi::Value v = fds.Get(i);
      if (!v.IsNumber()) {
        Napi::TypeError::New(env, "ExclusiveAcceptor: fds must be numbers").ThrowAsJavaScriptException();
        return;
      }
      int fd = v.As<Napi::Number>().Int32Value();
      struct epoll_event ev = {};
      ev.events = EPOLLIN | EPOLLEXCLUSIVE;
      ev.data.fd = fd;
      if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
        Fail(env, ("epoll_ctl on fd " + std::to_string(fd)).c_str(), errno);
        return;
      }
    }
    struct epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = evfd_;
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, evfd_, &ev) < 0) {
      Fail(env, "epoll_ctl on the eventfd", errno);
      return;
    }
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    async_ = new uv_async_t();
    uv_async_init(loop, async_, OnAsync);
    async_->data = this;
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "prefork:exclusive-acceptor");
    thread_ = std::thread([this] { Run(); });
  }

  ~ExclusiveAcceptor() override { Shutdown(); }

 private:
  enum class State { Parked, Armed, Quit };

  void Fail(Napi::Env env, const char* what, int err) {
    Napi::Error::New(env, std::string("ExclusiveAcceptor: ") + what + ": " + strerror(err)).ThrowAsJavaScriptException();
  }

  // The thread: parked until armed, then one epoll_wait and one accept at a time.
  void Run() {
    // Signals are the loop thread's: the master's SIGUSR1, SIGTERM and the others reach Node's
    // handlers there, and never interrupt this thread's wait.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock<std::mutex> lock(mu_);
    struct epoll_event evs[8];
    for (;;) {
      cv_.wait(lock, [this] { return state_ != State::Parked; });
      if (state_ == State::Quit) return;
      in_epoll_ = true;
      lock.unlock();
      int n = epoll_wait(epfd_, evs, 8, -1);
      int err = errno;
      int got = -EAGAIN;
      for (int i = 0; i < n && got == -EAGAIN; i++) {
        if (evs[i].data.fd == evfd_) {
          uint64_t v;
          (void)!read(evfd_, &v, sizeof v);
          continue;
        }
        int c;
        do {
          c = accept4(evs[i].data.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        } while (c < 0 && errno == EINTR);
        if (c >= 0) got = c;
        else if (errno != EAGAIN && errno != EWOULDBLOCK) got = -errno;
      }
      if (n < 0 && err != EINTR) got = -err;
      lock.lock();
      in_epoll_ = false;
      idle_cv_.notify_all();
      if (got == -EAGAIN) continue;  // another child took it, or a disarm: wait again if still armed
      result_ = got;
      have_result_ = true;
      if (state_ == State::Armed) state_ = State::Parked;
      uv_async_send(async_);
    }
  }

  static void OnAsync(uv_async_t* handle) {
    auto* self = static_cast<ExclusiveAcceptor*>(handle->data);
    if (self == nullptr) return;
    int fd;
    {
      std::lock_guard<std::mutex> g(self->mu_);
      if (!self->have_result_) return;  // taken by disarm()
      self->have_result_ = false;
      fd = self->result_;
    }
    Napi::Env env = self->callback_.Env();
    Napi::HandleScope scope(env);
    self->callback_.MakeCallback(env.Global(), {Napi::Number::New(env, fd)}, *self->context_);
  }

  Napi::Value Arm(const Napi::CallbackInfo& info) {
    std::lock_guard<std::mutex> g(mu_);
    if (state_ == State::Parked && !have_result_) {
      state_ = State::Armed;
      cv_.notify_one();
    }
    return info.Env().Undefined();
  }

  // Parks the thread and waits until it is out of epoll_wait, so that nothing is accepted
  // after this returns; hands back what it accepted meanwhile.
  int Park() {
    std::unique_lock<std::mutex> lock(mu_);
    if (state_ == State::Armed) {
      state_ = State::Parked;
      uint64_t one = 1;
      (void)!write(evfd_, &one, sizeof one);
    }
    // The thread holds the mutex from epoll_wait's return until it waits on cv_ again: once it
    // is out of epoll_wait with the state parked, it accepts nothing more.
    idle_cv_.wait(lock, [this] { return !in_epoll_; });
    int fd = -1;
    if (have_result_) {
      have_result_ = false;
      fd = result_;
    }
    return fd;
  }

  Napi::Value Disarm(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), closed_ ? -1 : Park());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    int fd = closed_ ? -1 : Park();
    Shutdown();
    return Napi::Number::New(info.Env(), fd);
  }

  void Shutdown() {
    if (closed_) return;
    closed_ = true;
    {
      std::lock_guard<std::mutex> g(mu_);
      state_ = State::Quit;
      uint64_t one = 1;
      if (evfd_ >= 0) (void)!write(evfd_, &one, sizeof one);
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    if (async_ != nullptr) {
      async_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(async_), [](uv_handle_t* h) { delete reinterpret_cast<uv_async_t*>(h); });
      async_ = nullptr;
    }
    if (epfd_ >= 0) close(epfd_);
    if (evfd_ >= 0) close(evfd_);
    epfd_ = evfd_ = -1;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  State state_ = State::Parked;
  bool in_epoll_ = false;
  bool have_result_ = false;
  int result_ = -1;
  int epfd_ = -1;
  int evfd_ = -1;
  bool closed_ = false;
  uv_async_t* async_ = nullptr;
  std::thread thread_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
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

// The isolate's memory-reducing collection (what V8 does on a low-memory signal): compacts the
// heap and returns its free pages, which an ordinary full collection keeps for later growth.
Napi::Value ReduceMemory(const Napi::CallbackInfo& info) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate != nullptr) isolate->LowMemoryNotification();
  malloc_trim(0);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Poller", Poller::Init(env));
  exports.Set("ExclusiveAcceptor", ExclusiveAcceptor::Init(env));
  exports.Set("accept", Napi::Function::New(env, Accept));
  exports.Set("readByte", Napi::Function::New(env, ReadByte));
  exports.Set("setNonBlocking", Napi::Function::New(env, SetNonBlocking));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd));
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
  exports.Set("unlockFile", Napi::Function::New(env, UnlockFile));
  exports.Set("reduceMemory", Napi::Function::New(env, ReduceMemory));
  return exports;
}

}  // namespace

NODE_API_MODULE(acceptor, Init)
