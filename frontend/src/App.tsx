import { BrowserRouter, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { SessionProvider } from "./lib/session";
import { ToastProvider } from "./lib/toast";
import { BannedPage } from "./pages/BannedPage";
import { BlockedPage } from "./pages/BlockedPage";
import { CommentPermalinkPage } from "./pages/CommentPermalinkPage";
import { CommunitiesPage } from "./pages/CommunitiesPage";
import { CommunityLayout, CommunityPosts } from "./pages/CommunityPage";
import { CreateCommunityPage } from "./pages/CreateCommunityPage";
import { DelegatesPage } from "./pages/DelegatesPage";
import { GovernancePage } from "./pages/GovernancePage";
import { HomePage } from "./pages/HomePage";
import { HowRewardsPage } from "./pages/HowRewardsPage";
import { InboxPage } from "./pages/InboxPage";
import { ModlogPage } from "./pages/ModlogPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PostPage } from "./pages/PostPage";
import { ProposalPage } from "./pages/ProposalPage";
import { ReportsPage } from "./pages/ReportsPage";
import { RewardsPage } from "./pages/RewardsPage";
import { SavedPage } from "./pages/SavedPage";
import { SearchPage } from "./pages/SearchPage";
import { SubmitPage } from "./pages/SubmitPage";
import { UserPage } from "./pages/UserPage";

export function App() {
  return (
    <BrowserRouter>
      <ToastProvider>
        <SessionProvider>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<HomePage />} />
              <Route path="communities" element={<CommunitiesPage />} />
              <Route path="create-community" element={<CreateCommunityPage />} />
              <Route path="submit" element={<SubmitPage />} />
              <Route path="search" element={<SearchPage />} />
              <Route path="rewards" element={<HowRewardsPage />} />
              <Route path="inbox" element={<InboxPage />} />
              <Route path="saved" element={<SavedPage />} />
              <Route path="blocked" element={<BlockedPage />} />
              <Route path="u/:address" element={<UserPage />} />
              <Route path="c/:name" element={<CommunityLayout />}>
                <Route index element={<CommunityPosts />} />
                <Route path="modlog" element={<ModlogPage />} />
                <Route path="reports" element={<ReportsPage />} />
                <Route path="banned" element={<BannedPage />} />
                <Route path="rewards" element={<RewardsPage />} />
                <Route path="governance" element={<GovernancePage />} />
                <Route path="governance/:proposalId" element={<ProposalPage />} />
                <Route path="delegates" element={<DelegatesPage />} />
              </Route>
              <Route path="c/:name/p/:postId" element={<CommunityLayout withHeader={false} />}>
                <Route index element={<PostPage />} />
                <Route path="comment/:commentId" element={<CommentPermalinkPage />} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </SessionProvider>
      </ToastProvider>
    </BrowserRouter>
  );
}
