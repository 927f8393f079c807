import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate, useSearchParams } from "react-router";
import { displayName } from "../lib/format";
import { Avatar } from "./bits";
import { MoonIcon, PlusIcon, SearchIcon, SunIcon } from "./icons";
import { useSession } from "../lib/session";
import { InboxBell } from "./InboxBell";
import { useTheme } from "../lib/theme";
import { SignInDialog } from "./SignInDialog";

export function Layout() {
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);

  // Move focus to the page on navigation so keyboard and screen-reader users start at the top.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>
          Agora — communities that run themselves. <Link to="/communities">Browse communities</Link>
        </p>
      </footer>
      <SignInDialog />
    </>
  );
}

function Header() {
  const { viewer, checking, startSignIn, signInStatus } = useSession();
  const [theme, toggleTheme] = useTheme();
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to="/" className="logo" aria-label="Agora home">
          <span className="logo-mark" aria-hidden="true">
            A
          </span>
          <span className="logo-text">agora</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          <NavLink to="/" end>
            Home
          </NavLink>
          <NavLink to="/communities">Communities</NavLink>
        </nav>
        <HeaderSearch />
        <div className="header-actions">
          <Link to="/search" className="icon-button show-narrow" aria-label="Search">
            <SearchIcon />
          </Link>
          <Link to="/submit" className="button ghost header-submit" aria-label="Create post">
            <PlusIcon />
            <span className="hide-narrow">Create post</span>
          </Link>
          <button
            type="button"
            className="icon-button"
            onClick={toggleTheme}
            aria-label={theme === "dark" ? "Switch to light theme" : "Switch to dark theme"}
            title={theme === "dark" ? "Light theme" : "Dark theme"}
          >
            {theme === "dark" ? <SunIcon /> : <MoonIcon />}
          </button>
          {viewer && <InboxBell />}
          {viewer ? (
            <UserMenu />
          ) : (
            <button type="button" className="button primary" disabled={checking || signInStatus === "working"} onClick={() => startSignIn()}>
              Sign in
            </button>
          )}
        </div>
      </div>
    </header>
  );
}

/** The search box of the header (wide screens; a phone gets a link to the search page). */
function HeaderSearch() {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const onSearchPage = location.pathname === "/search";
  const [text, setText] = useState(onSearchPage ? (params.get("q") ?? "") : "");
  useEffect(() => {
    if (onSearchPage) setText(params.get("q") ?? "");
  }, [onSearchPage, params]);
  return (
    <form
      role="search"
      className="header-search hide-narrow"
      onSubmit={(e) => {
        e.preventDefault();
        const q = text.trim();
        if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
      }}
    >
      <SearchIcon />
      <input type="search" aria-label="Search Agora" placeholder="Search Agora" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
    </form>
  );
}

function UserMenu() {
  const { viewer, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const location = useLocation();

  useEffect(() => setOpen(false), [location.pathname]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  if (!viewer) return null;
  const user = viewer.user;
  return (
    <div className="user-menu" ref={ref}>
      <button type="button" className="user-button" aria-expanded={open} aria-haspopup="true" aria-controls="user-menu-panel" onClick={() => setOpen((o) => !o)}>
        <Avatar user={user} />
        <span className="hide-narrow" data-testid="viewer-name">
          {displayName(user)}
        </span>
        <span className="visually-hidden">account menu</span>
      </button>
      {open && (
        <div className="menu" id="user-menu-panel">
          <p className="menu-head">
            Signed in as <strong>{displayName(user)}</strong>
            <br />
            <span className="muted small">{user.karma} karma</span>
          </p>
          <Link to={`/u/${user.address}`}>Your profile</Link>
          <Link to="/saved">Saved</Link>
          <Link to="/blocked">Blocked</Link>
          {/* The session cookie goes with a same-origin link: the server answers the file. */}
          <a href="/export" download data-testid="export-link">
            Download your data
          </a>
          <Link to="/create-community">Create a community</Link>
          {viewer.joinedCommunities.length > 0 && (
            <>
              <p className="menu-section">Your communities</p>
              {viewer.joinedCommunities.slice(0, 8).map((c) => (
                <Link key={c.id} to={`/c/${c.name}`}>
                  c/{c.name}
                </Link>
              ))}
            </>
          )}
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
