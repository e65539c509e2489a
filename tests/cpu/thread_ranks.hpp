// n2v::Ranks over the threads of one test process: rank r is the thread that owns ThreadRanks
// r of a ThreadRankGroup. Lets the distributed code paths run in plain unit tests (and under the
// sanitizers), with no MPI. Every collective is two barriers: each rank posts what it sends, all
// read what they need, and nobody posts again before everybody has read. The non-blocking sum
// completes at StartSum (the overlap is MPI's business, not what these tests check).
#pragma once

#include <barrier>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "n2v/n2v.hpp"
#include "n2v/ranks.hpp"

namespace n2v::testing {

class ThreadRankGroup;

class ThreadRanks final : public Ranks {
 public:
  ThreadRanks(ThreadRankGroup* group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override;
  int local_rank() const override { return rank_; }
  int local_size() const override { return size(); }
  std::string transport() const override { return "threads of one process (tests)"; }
  absl::Status SumInPlace(uint64_t* data, size_t n) override { return Sum(data, n); }
  absl::Status SumInPlace(double* data, size_t n) override { return Sum(data, n); }
  absl::Status StartSum(const float* send, float* recv, size_t n) override;
  bool PollSum() override { return true; }
  absl::Status FinishSum() override { return absl::OkStatus(); }
  absl::Status Gather(uint64_t mine, std::vector<uint64_t>* all) override;
  absl::Status Broadcast(std::string* bytes, int root) override;
  absl::Status AllToAll(const uint8_t* send, const std::vector<uint64_t>& send_bytes,
                        std::vector<uint8_t>* recv, std::vector<uint64_t>* recv_bytes) override;
  absl::Status MaxToRoot(int32_t* data, size_t n, int root) override;
  [[noreturn]] void Abort(int) override { std::abort(); }

 private:
  template <class T>
  absl::Status Sum(T* data, size_t n);
  ThreadRankGroup* group_;
  int rank_;
};

class ThreadRankGroup {
 public:
  explicit ThreadRankGroup(int size) : barrier_(size), posts_(size) {
    for (int r = 0; r < size; ++r) ranks_.push_back(std::make_shared<ThreadRanks>(this, r));
  }
  int size() const { return static_cast<int>(ranks_.size()); }
  std::shared_ptr<ThreadRanks> rank(int r) { return ranks_[r]; }

 private:
  friend class ThreadRanks;
  struct Post {
    const void* a = nullptr;
    const void* b = nullptr;
    uint64_t value = 0;
  };
  std::barrier<> barrier_;
  std::vector<Post> posts_;
  std::vector<std::shared_ptr<ThreadRanks>> ranks_;
};

inline int ThreadRanks::size() const { return group_->size(); }

template <class T>
absl::Status ThreadRanks::Sum(T* data, size_t n) {
  group_->posts_[rank_].a = data;
  group_->barrier_.arrive_and_wait();
  std::vector<T> sum(n, T{0});
  for (int r = 0; r < size(); ++r) {
    const T* other = static_cast<const T*>(group_->posts_[r].a);
    for (size_t i = 0; i < n; ++i) sum[i] += other[i];
  }
  group_->barrier_.arrive_and_wait();
  if (n > 0) std::memcpy(data, sum.data(), n * sizeof(T));
  return absl::OkStatus();
}

inline absl::Status ThreadRanks::StartSum(const float* send, float* recv, size_t n) {
  group_->posts_[rank_].a = send;
  group_->barrier_.arrive_and_wait();
  std::vector<float> sum(n, 0.0f);
  for (int r = 0; r < size(); ++r) {
    const float* other = static_cast<const float*>(group_->posts_[r].a);
    for (size_t i = 0; i < n; ++i) sum[i] += other[i];
  }
  group_->barrier_.arrive_and_wait();
  if (n > 0) std::memcpy(recv, sum.data(), n * sizeof(float));
  return absl::OkStatus();
}

inline absl::Status ThreadRanks::Gather(uint64_t mine, std::vector<uint64_t>* all) {
  group_->posts_[rank_].value = mine;
  group_->barrier_.arrive_and_wait();
  all->assign(size(), 0);
  for (int r = 0; r < size(); ++r) (*all)[r] = group_->posts_[r].value;
  group_->barrier_.arrive_and_wait();
  return absl::OkStatus();
}

inline absl::Status ThreadRanks::Broadcast(std::string* bytes, int root) {
  group_->posts_[rank_].a = bytes;
  group_->barrier_.arrive_and_wait();
  std::string copy = *static_cast<const std::string*>(group_->posts_[root].a);
  group_->barrier_.arrive_and_wait();
  *bytes = std::move(copy);
  return absl::OkStatus();
}

inline absl::Status ThreadRanks::AllToAll(const uint8_t* send,
                                          const std::vector<uint64_t>& send_bytes,
                                          std::vector<uint8_t>* recv,
                                          std::vector<uint64_t>* recv_bytes) {
  if (send_bytes.size() != static_cast<size_t>(size())) {
    return absl::InternalError("AllToAll: expected one byte count per rank");
  }
  group_->posts_[rank_].a = send;
  group_->posts_[rank_].b = &send_bytes;
  group_->barrier_.arrive_and_wait();
  recv->clear();
  recv_bytes->assign(size(), 0);
  for (int s = 0; s < size(); ++s) {
    const auto* from = static_cast<const uint8_t*>(group_->posts_[s].a);
    const auto& counts = *static_cast<const std::vector<uint64_t>*>(group_->posts_[s].b);
    uint64_t at = 0;
    for (int r = 0; r < rank_; ++r) at += counts[r];
    recv->insert(recv->end(), from + at, from + at + counts[rank_]);
    (*recv_bytes)[s] = counts[rank_];
  }
  group_->barrier_.arrive_and_wait();
  return absl::OkStatus();
}

inline absl::Status ThreadRanks::MaxToRoot(int32_t* data, size_t n, int root) {
  group_->posts_[rank_].a = data;
  group_->barrier_.arrive_and_wait();
  std::vector<int32_t> max;
  if (rank_ == root) {
    max.assign(data, data + n);
    for (int r = 0; r < size(); ++r) {
      const int32_t* other = static_cast<const int32_t*>(group_->posts_[r].a);
      for (size_t i = 0; i < n; ++i) max[i] = std::max(max[i], other[i]);
    }
  }
  group_->barrier_.arrive_and_wait();
  if (rank_ == root && n > 0) std::memcpy(data, max.data(), n * sizeof(int32_t));
  return absl::OkStatus();
}

/// Runs fn(this rank's Ranks) on `n` thread ranks, one thread each; the results in rank order.
template <class F>
auto RunOnThreadRanks(int n, F fn) {
  using Result = decltype(fn(std::shared_ptr<Ranks>()));
  ThreadRankGroup group(n);
  std::vector<Result> out(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int r = 0; r < n; ++r) {
    threads.emplace_back([&, r] { out[static_cast<size_t>(r)] = fn(group.rank(r)); });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

/// n2v::Train on `n` thread ranks with options `o` (each rank gets its own Ranks): every rank's
/// result or error, in rank order.
inline std::vector<absl::StatusOr<TrainResult>> TrainOnThreadRanks(const Graph& g,
                                                                  const TrainOptions& o, int n) {
  return RunOnThreadRanks(n, [&](std::shared_ptr<Ranks> ranks) {
    TrainOptions mine = o;
    mine.ranks = std::move(ranks);
    return Train(g, mine);
  });
}

}  // namespace n2v::testing
